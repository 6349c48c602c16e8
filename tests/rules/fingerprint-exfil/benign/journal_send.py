import getpass
import socket

from systemd import journal


def log_start():
    journal.send(MESSAGE="started", USER=getpass.getuser(), HOST=socket.gethostname())


log_start()
