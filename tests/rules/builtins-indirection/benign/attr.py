def get(obj, name):
    return getattr(obj, name, None)
