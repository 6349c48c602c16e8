def is_virtualenv(prefix, base_prefix):
    return prefix != base_prefix
