import socket


def local_ips():
    """The machine's own addresses, found by resolving its host names."""
    ips = socket.gethostbyname_ex("localhost")[2]
    ips += socket.gethostbyname_ex(socket.gethostname() + ".local")[2]
    ips.append(socket.gethostbyname(socket.getfqdn()))
    return ips
