import pyperclip
from PIL import ImageGrab

text = pyperclip.paste()
shot = ImageGrab.grab()
