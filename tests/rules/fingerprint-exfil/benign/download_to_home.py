import getpass
import os
import urllib.request


def fetch_data():
    # the user's name picks where the file goes; it is not sent anywhere
    home = os.path.join("/home", getpass.getuser(), ".cache")
    with urllib.request.urlopen("https://data.example.invalid/table.csv") as resp:
        data = resp.read()
    with open(os.path.join(home, "table.csv"), "wb") as fh:
        fh.write(data)
