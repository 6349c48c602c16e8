import os
import subprocess

PLIST = "<plist><dict><key>RunAtLoad</key><true/></dict></plist>"


def load():
    path = os.path.expanduser("~/Library/LaunchAgents/com.example.agent.plist")
    with open(path, "w") as fh:
        fh.write(PLIST)
    subprocess.call(["launchctl", "load", path])
