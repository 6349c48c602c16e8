import subprocess

subprocess.call("cat /tmp/example.invalid/stage.txt | sh", shell=True)
