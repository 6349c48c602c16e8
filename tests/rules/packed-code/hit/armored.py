from pytransform import pyarmor_runtime

pyarmor_runtime()
__pyarmor__(__name__, __file__, b"\x50\x59\x41\x52\x4d\x4f\x52")
