"""XML encryption elements (EncryptedKey) as classes."""


class EncryptedKey:
    c_tag = "EncryptedKey"

    def __init__(self, encrypted_key=None, key_name=None):
        self.encrypted_key = encrypted_key
        self.key_name = key_name


def encrypted_key_from_string(xml_string):
    return EncryptedKey(encrypted_key=xml_string)
