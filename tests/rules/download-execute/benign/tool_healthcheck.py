import subprocess


def restart_if_down(service):
    probe = subprocess.run("curl -sf https://status.example.invalid/health > /dev/null", shell=True)
    if probe.returncode:
        subprocess.run(["systemctl", "restart", service], check=True)
