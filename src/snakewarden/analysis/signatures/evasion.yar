// Anti-analysis (sandbox / VM / debugger checks) and packed code.

rule sw_anti_analysis
{
    strings:
        $v1 = "VBoxService" nocase
        $v2 = "VBoxTray" nocase
        $v3 = "vmtoolsd" nocase
        $v4 = "vmwaretray" nocase
        $v5 = "vmsrvc" nocase
        $v6 = "SbieDll" nocase
        $v7 = "IsDebuggerPresent"
        $v8 = "CheckRemoteDebuggerPresent"
        $v9 = "WDAGUtilityAccount"
        $v10 = "wireshark" nocase
        $v11 = "x64dbg" nocase
        $v12 = "ollydbg" nocase
        $v13 = "processhacker" nocase
        $v14 = "httpdebuggerui" nocase
        $v15 = "fiddler" nocase
        $v16 = "ida64" nocase
        $v17 = "procmon" nocase
        $v18 = "vboxmouse" nocase
        $v19 = "qemu-ga" nocase
        $v20 = "joeboxcontrol" nocase
        $v21 = "ksdumper" nocase
        $v22 = "prl_cc" nocase
        $v23 = "xenservice" nocase
        $v24 = "00:0c:29" nocase
        $v25 = "08:00:27" nocase
    condition:
        3 of them
}

rule sw_packed_code
{
    strings:
        $p1 = "__pyarmor__"
        $p2 = "pyarmor_runtime"
        $p3 = "__armor_enter__"
        $p4 = "__armor_wrap__"
        $p5 = "PY00000" // pyarmor blob header
        $o1 = /__import__\(\s*['"](base64|zlib|marshal|codecs|lzma|bz2)['"]\s*\)\.(b64decode|decompress|loads|decode)/
        $o2 = /exec\(\s*\(?\s*_*\s*\)?\s*\(\s*b?['"][A-Za-z0-9+\/=]{200}/
        $o3 = /lambda\s+_{1,3}\s*:\s*__import__/
    condition:
        any of them
}

// Code hidden in escaped string literals ("\145\166\141\154" is "eval") and then evaluated.
rule sw_escaped_code
{
    strings:
        $hex = /\\x[0-9a-fA-F]{2}\\x[0-9a-fA-F]{2}\\x[0-9a-fA-F]{2}/
        $oct = /\\[0-7]{3}\\[0-7]{3}\\[0-7]{3}/
        $run = /(eval|exec|compile|__import__)\s*\(/
    condition:
        $run and (#hex + #oct) > 60
}

// Identifiers made only of look-alike letters (IlIlIl..., O0O0...): machine-obfuscated code.
rule sw_confusable_identifiers
{
    strings:
        $il = /(IlIl|lIlI|IIll|llII|IllI|lIIl)[Il]{12,}/
        $o0 = /(O0O0|0O0O|OO00|00OO)[O0]{12,}/
        $under = /______\s*[=(,)\[]/
        $alias = /import\s+[\w.]+\s+as\s+_{3,}[\s;,]/
    condition:
        #il > 8 or #o0 > 8 or #under > 12 or #alias >= 2
}
