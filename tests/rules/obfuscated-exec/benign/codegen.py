def make_init(fields):
    """Generate an __init__ for ``fields`` (the way attrs-style libraries do)."""
    lines = [f"def __init__(self, {', '.join(fields)}):"]
    lines += [f"    self.{f} = {f}" for f in fields] or ["    pass"]
    globs = {}
    eval(compile("\n".join(lines), "<generated __init__>", "exec"), globs)
    return globs["__init__"]
