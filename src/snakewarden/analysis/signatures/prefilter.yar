// Not a detection: marks files that hold a capability worth parsing with ast.
rule sw_prefilter
{
    strings:
        $a1 = "exec(" $a2 = "eval(" $a3 = "compile(" $a4 = "__import__" $a5 = "b64decode"
        $a6 = "marshal" $a7 = "decompress" $a8 = "subprocess" $a9 = "os.system" $a10 = "popen" nocase
        $a11 = "socket" $a12 = "urlopen" $a13 = "urlretrieve" $a14 = "requests." $a15 = "httpx"
        $a16 = "http.client" $a17 = "webhook" nocase $a18 = "getpass" $a19 = "gethostname"
        $a20 = "ctypes" $a21 = "winreg" $a22 = "startfile" $a23 = "fromhex" $a24 = "unhexlify"
        $a25 = "codecs" $a26 = "pty" $a27 = ".ssh" $a28 = "discord" nocase $a29 = "telegram" nocase
        $a30 = "builtins" $a31 = "chr(" $a32 = "pyperclip" $a33 = "ImageGrab" $a34 = "environ"
        $a35 = "getattr(" $a36 = "platform." $a37 = "getlogin" $a38 = "getnode" $a39 = "b32decode"
        $a40 = "b85decode" $a41 = "powershell" nocase $a42 = "curl" $a43 = "wget" $a44 = "/dev/tcp"
        $a45 = "CurrentVersion" $a46 = "crontab" $a47 = "schtasks" $a48 = "Fernet" $a49 = "[::-1]"
        $a50 = "urllib"
    condition:
        any of them
}
