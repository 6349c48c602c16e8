import os


def install(blob):
    open("helper.exe", "wb").write(blob)
    os.system("set __COMPAT_LAYER=RunAsInvoker | start helper.exe")
