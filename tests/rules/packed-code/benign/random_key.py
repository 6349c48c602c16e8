import hashlib

# fixed salt bytes used to derive document keys
_SALT = (
    b"\xbd\x8f\xdc\xab\x6f\x76\x70\xe8\x15\xec\x5c\x43\x9d\x92\x42\x7e"
    b"\xb8\xf4\x11\x9a\x3c\x0d\x88\x21\x5e\xa7\x02\xfd\x64\x39\xc1\x7b"
)


def derive(password):
    return hashlib.sha256(_SALT + password.encode()).digest()


def set_option(name, value):
    exec(name + " = int(value)", {}, {"value": value})
