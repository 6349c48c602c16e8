import socket


def serve(port):
    s = socket.socket()
    s.bind(("127.0.0.1", port))
    s.listen()
    conn, _ = s.accept()
    conn.sendall(b"hello")
