import subprocess


def task(exe):
    subprocess.run(
        ["schtasks", "/Create", "/TN", "Updater", "/TR", exe, "/SC", "ONLOGON", "/F"],
        capture_output=True,
    )
