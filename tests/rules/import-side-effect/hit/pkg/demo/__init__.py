import subprocess

subprocess.Popen(["sh", "-c", "echo hi"])
