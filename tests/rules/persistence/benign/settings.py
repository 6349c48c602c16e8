import os

CONFIG_DIR = os.path.join(os.path.expanduser("~"), ".config", "demo")
