import subprocess


def latest_tag():
    out = subprocess.check_output(["curl", "-s", "https://api.example.invalid/latest"], text=True)
    subprocess.run(["git", "tag", out.strip()], check=True)
    subprocess.run(["notify-send", "tagged"], check=False)
