// Process execution that hides itself or fetches and runs code.

rule sw_powershell_encoded
{
    strings:
        $enc = /powershell(\.exe)?['",\s\]]{1,6}([^\n]{0,80}\s)?-(e|ec|enc|enco|encodedcommand)['",\s]+/ nocase
        $enc2 = "-EncodedCommand" nocase
        $iex_b64 = /(IEX|Invoke-Expression)[^\n]{0,200}FromBase64String/ nocase
        $b64_iex = /FromBase64String[^\n]{0,200}(IEX|Invoke-Expression)/ nocase
    condition:
        any of them
}

rule sw_powershell_download
{
    strings:
        $cradle1 = /(IEX|Invoke-Expression)[ (]{1,4}[^\n]{0,80}(Net\.WebClient|Invoke-WebRequest|Invoke-RestMethod|\biwr\s|\birm\s)[^\n]{0,120}(https?:|\$)/ nocase
        $cradle2 = /(Invoke-WebRequest|Invoke-RestMethod|\biwr|\birm)\s+(-Uri\s+)?['"(]?(https?:|\$)[^\n|]{1,200}\|\s*(IEX|Invoke-Expression)\b/ nocase
        $cradle3 = /powershell[^\n]{0,120}\.Download(String|File|Data)\s*\(/ nocase
        $cradle4 = /powershell[^\n]{0,120}(Invoke-WebRequest|\biwr\s)[^\n]{0,200}(-OutFile|Start-Process)/ nocase
        $start = /Start-Process[^\n]{0,200}(-WindowStyle\s+Hidden|-w\s+hidden)/ nocase
    condition:
        any of them
}

rule sw_hidden_window
{
    strings:
        $h1 = /-w(indowstyle)?\s+hid(den)?\b/ nocase
        $h2 = /creationflags\s*=\s*[^\n]{0,60}(CREATE_NO_WINDOW|DETACHED_PROCESS|0x0*8000000|134217728|0x0*8\b)/
        $h4 = /wShowWindow\s*=\s*[^\n]{0,30}(SW_HIDE|\b0\b)/
        $h7 = /start\s+\/b\s+/ nocase
        $h8 = "windowStyle = 0" nocase
        $h9 = /\.Run\s*\([^\n]{0,200},\s*0\s*(,|\))/
        $h10 = /replace\(\s*['"]\.exe['"]\s*,\s*['"]w\.exe['"]/
        $h11 = /pythonw(\.exe)?['"]?\s*[,\]]/
    condition:
        any of them
}

rule sw_shell_fetch_exec
{
    strings:
        $pipe = /(curl|wget)\s[^\n|;&]{0,300}\|\s*(sudo\s+)?(\/bin\/|\/usr\/bin\/)?(ba|z|da|k)?sh\b/ nocase
        $pipe_py = /(curl|wget)\s[^\n|;&]{0,300}\|\s*(sudo\s+)?python[0-9.]*\b/ nocase
        $chmod = /(curl|wget)\s[^\n]{0,300}(&&|;)\s*chmod\s+(\+x|[0-7]{3,4})\s/ nocase
        $certutil = /certutil(\.exe)?\s+[^\n]{0,40}-urlcache/ nocase
        $bits = /bitsadmin(\.exe)?\s+[^\n]{0,40}\/transfer/ nocase
        $mshta = /mshta(\.exe)?\s+['"]?(https?|vbscript|javascript):/ nocase
        $regsvr = /regsvr32[^\n]{0,60}\/i:\s*https?:/ nocase
        $tmp_run = /(curl|wget)\s[^\n]{0,200}-[oO]\s+\/tmp\/[^\n]{0,200}(&&|;)[^\n]{0,60}\/tmp\// nocase
    condition:
        any of them
}

rule sw_reverse_shell
{
    strings:
        $devtcp = /\/dev\/(tcp|udp)\/[^\n\/]{1,80}\/[0-9{]/
        // an interactive shell whose output goes to a socket: ``>& /dev/tcp/…``, ``0>&1``, or
        // piped into a network tool; ``bash -i script 2>&1`` alone only merges stderr
        $bash_i = /\b(ba)?sh\s+-i\b[^\n]{0,60}([^0-9]>&|0>&1|2>&1\s*\|\s*(nc|ncat|netcat|socat|telnet)\b)/
        $nc = /\b(nc|ncat|netcat)(\.exe)?\s+[^\n]{0,60}-e\s+(\/bin\/(ba)?sh|cmd(\.exe)?)/ nocase
        $mkfifo = /mkfifo[^\n]{0,80}\|\s*(\/bin\/)?(ba)?sh\s+-i/
        $dup = /os\.dup2\s*\(\s*[a-zA-Z_][\w.]*\.fileno\(\)\s*,\s*[012]\s*\)/
        $spawn = /pty\.spawn\s*\(\s*['"](\/bin\/)?(ba)?sh['"]/
    condition:
        any of ($devtcp, $bash_i, $nc, $mkfifo) or ($dup and $spawn) or #dup >= 2
}
