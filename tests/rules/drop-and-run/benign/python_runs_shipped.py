import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def regenerate():
    script = os.path.join(HERE, "tools", "gen_tables.py")
    subprocess.run([sys.executable, script], check=True)
    with open(os.path.join(HERE, "build.log"), "w") as fh:
        fh.write("tables regenerated\n")
