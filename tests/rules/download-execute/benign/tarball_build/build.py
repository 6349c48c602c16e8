import os
import subprocess
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def fetch(url, dest):
    urllib.request.urlretrieve(url, dest)


def unpack(archive, where):
    subprocess.run(["tar", "-xzf", archive, "-C", where], check=True)


def main():
    archive = os.path.join(HERE, "libdemo-1.2.tar.gz")
    fetch("https://downloads.example.invalid/libdemo-1.2.tar.gz", archive)
    unpack(archive, HERE)
    subprocess.run(["make", "-C", os.path.join(HERE, "libdemo-1.2")], check=True)


if __name__ == "__main__":
    main()
