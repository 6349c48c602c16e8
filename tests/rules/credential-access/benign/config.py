import os

CONFIG = os.path.expanduser("~/.config/demo/settings.toml")
