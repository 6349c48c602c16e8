import os

STAGE = "ZWNobyBoZWxsbw=="
os.system("echo %s | base64 -d | bash" % STAGE)
