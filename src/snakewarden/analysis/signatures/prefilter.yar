// Not a detection: marks modules that hold a capability worth parsing with ast. Modules that do
// not match (and are not install-time, start-up, __init__ or small) are left to YARA alone.
rule sw_prefilter
{
    strings:
        $e1 = /(^|[^\w.])(exec|eval)\s*\(/
        $a4 = "__import__(" $a5 = "b64decode" $a6 = "marshal.loads" $a7 = "decompress("
        $a8 = "subprocess" $a9 = "os.system" $a10 = "os.popen" $a11 = "socket.socket"
        $a12 = "urlopen" $a13 = "urlretrieve" $a14 = "requests.post" $a15 = "requests.get("
        $w17 = "webhook" nocase $a18 = "getpass" $a19 = "gethostname" $a21 = "winreg"
        $a22 = "startfile" $a23 = "fromhex" $a24 = "unhexlify" $a27 = "/.ssh" $w28 = "discord" nocase
        $a29 = "api.telegram" $a32 = "pyperclip" $a33 = "ImageGrab" $a37 = "getlogin"
        $a38 = "getnode" $a41 = "powershell" nocase $w42 = "curl " $w43 = "wget " $a44 = "/dev/tcp"
        $a45 = "CurrentVersion" $a46 = "crontab" $a47 = "schtasks" $a48 = "Fernet" $w49 = "[::-1]"
        $a50 = "getattr(__builtins__" $a51 = "environ.copy()" $a52 = "dict(os.environ)"
        $a53 = "pty.spawn" $a54 = "dup2" $a55 = "ngrok" $a56 = "from os import" $a57 = "import os,"
        $a58 = "getattr(builtins" $a59 = "__builtins__[" $a60 = "rot13" $w61 = "aHR0" $w62 = "sptth"
        $a63 = "__pyarmor__(" $a64 = "pyarmor_runtime("
    condition:
        // $w*: words that only name a tool or a service; running or reaching it takes one of
        // the others (a process call, a request, exec). Beyond small files they alone do not ask
        // for a parse: API clients are full of curl examples, numeric code of [::-1].
        any of ($e*, $a*) or (filesize < 32KB and any of ($w*))
}
