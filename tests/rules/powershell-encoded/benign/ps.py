import subprocess


def version():
    return subprocess.check_output(
        ["powershell", "-NoProfile", "-Command", "$PSVersionTable.PSVersion"]
    )
