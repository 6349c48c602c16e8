"""Code generation, as dataclass-like libraries do: the template is written out, and the joins
only put parameters and generated lines side by side."""


def make_init(fields):
    parameters = [f"{name}=None" for name in fields]
    body = [f"    self.{name} = {name}" for name in fields]
    namespace = {}
    exec(f"def __init__(self, {', '.join(parameters)}):\n" + ("\n".join(body) or "    pass"), namespace)
    return namespace["__init__"]


INIT = make_init(["a", "b"])
