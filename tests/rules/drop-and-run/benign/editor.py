import os
import subprocess
import tempfile


def edit(text):
    with tempfile.NamedTemporaryFile("w+", suffix=".txt") as buf:
        buf.write(text)
        buf.flush()
        editor = os.environ.get("EDITOR", "vi")
        subprocess.call([editor, buf.name])
        buf.seek(0)
        return buf.read()
