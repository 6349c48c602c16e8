import os
import subprocess


def capture(command, log_dir):
    with open(os.devnull, "wb") as dev_null:
        out = subprocess.run(command, stdout=subprocess.PIPE, stderr=dev_null, check=False)
    path = os.path.join(log_dir, "report.txt")
    with open(path, "w") as fh:
        fh.write(out.stdout.decode())
    lsof = "lsof -p %s > %s" % (os.getpid(), path)
    os.system(lsof)
