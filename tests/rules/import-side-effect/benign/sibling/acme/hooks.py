HOOKS = []


def register(func):
    HOOKS.append(func)
    return func
