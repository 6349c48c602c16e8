import socket


def public_ips():
    ips = socket.gethostbyname_ex(socket.gethostname() + ".local")[2]
    ips.append(socket.gethostbyname(socket.getfqdn()))
    return ips
