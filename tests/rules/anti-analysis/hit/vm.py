import os

BAD = ["vboxservice.exe", "vmtoolsd.exe", "wireshark.exe", "x64dbg.exe"]
if os.environ.get("USERNAME") == "WDAGUtilityAccount":
    raise SystemExit
