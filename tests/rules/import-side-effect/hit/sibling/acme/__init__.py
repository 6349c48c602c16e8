from .core import start

start()
