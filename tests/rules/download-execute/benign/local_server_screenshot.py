import subprocess
import time

import httpx


def screenshot():
    """Starts the docs app, waits until this machine's server answers, then runs a browser."""
    server = subprocess.Popen(["uvicorn", "app:app", "--port", "8000"])
    for _ in range(50):
        try:
            httpx.get("http://localhost:8000/docs")
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    subprocess.run(["chromium", "--headless", "--screenshot", "http://localhost:8000/docs"])
    server.terminate()
