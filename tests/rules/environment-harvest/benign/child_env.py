import json
import os
import subprocess
import urllib.request


def build(index_url, dest):
    # the environment is copied for a child process; the request only asks for a version
    env = os.environ.copy()
    env["BUILD_DEST"] = dest
    with urllib.request.urlopen(index_url + "/latest.json") as resp:
        version = json.load(resp)["version"]
    subprocess.run(["make", f"VERSION={version}"], env=env, check=True)
