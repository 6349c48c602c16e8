// Ways to survive a reboot.

rule sw_persistence_windows
{
    strings:
        $run = /CurrentVersion\\{1,2}(Run|RunOnce|Policies\\{1,2}Explorer\\{1,2}Run)\b/ nocase
        $startup = /(Start Menu\\{1,2}Programs\\{1,2}Startup|shell:startup|Microsoft[\/\\]{1,2}Windows[\/\\]{1,2}Start Menu[\/\\]{1,2}Programs[\/\\]{1,2}Startup)/ nocase
        $schtasks = /schtasks(\.exe)?['",\s]+[^\n]{0,40}\/create/ nocase
        $winlogon = /Winlogon\\{1,2}(Userinit|Shell)/ nocase
    condition:
        any of them
}

rule sw_persistence_unix
{
    strings:
        $cron1 = /crontab\s+(-l|-)/
        $cron2 = /\/etc\/cron\.(d|daily|hourly)|\/var\/spool\/cron/
        $cron3 = "@reboot"
        $systemd1 = /systemctl\s+(--user\s+)?enable/
        $systemd2 = /\.config\/systemd\/user|\/etc\/systemd\/system\//
        $launch = /Library\/Launch(Agents|Daemons)/
        $rclocal = "/etc/rc.local"
        $profiled = "/etc/profile.d/"
    condition:
        any of them
}

rule sw_shell_rc
{
    strings:
        $rc = /['"\/~]\.(bashrc|zshrc|bash_profile|profile|zprofile)['"]/
    condition:
        $rc
}
