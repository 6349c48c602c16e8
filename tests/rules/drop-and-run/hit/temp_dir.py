import subprocess
import tempfile
from pathlib import Path


def run_tool(blob):
    folder = Path(tempfile.gettempdir())
    exe = folder / "tool.exe"
    exe.write_bytes(blob)
    cmd = [str(exe), "--quiet"]
    subprocess.run(cmd, check=True)
