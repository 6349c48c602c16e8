import os

os.system("powershell -WindowStyle Hidden -File run.ps1")
