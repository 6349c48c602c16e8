from winreg import *


def keep(path):
    key = OpenKey(HKEY_CURRENT_USER, "Software\\Microsoft\\Windows\\CurrentVersion\\RunOnce", 0,
                  KEY_ALL_ACCESS)
    SetValueEx(key, "svc", 0, REG_SZ, path)
    CloseKey(key)
