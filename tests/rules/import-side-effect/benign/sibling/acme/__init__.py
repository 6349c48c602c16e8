from .core import start
from .hooks import register

register(start)
