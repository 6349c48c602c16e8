import os
import socket

IS_LINUX = os.uname().sysname == "Linux"
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM, 0)
try:
    s.bind(("::1", 0))
    HAVE_IPV6 = True
except OSError:
    HAVE_IPV6 = False
finally:
    s.close()
