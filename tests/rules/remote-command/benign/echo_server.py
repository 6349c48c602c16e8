import socket
import subprocess


def version():
    return subprocess.check_output(["git", "describe", "--tags"]).decode()


def serve(port):
    with socket.create_server(("127.0.0.1", port)) as srv:
        conn, _ = srv.accept()
        data = conn.recv(1024)
        conn.sendall(data.upper())
