"""Typed strategy parameters: declared with a default and help, given on the
command line as `--param key=value`, checked by thetabench before the run."""

TYPES = ("int", "float", "str", "bool", "symbols")


class Parameter:
    """A parameter's default, type and help text.

    The type follows the default (int, float, str, bool; a list of strings is
    `symbols`, given as `HOOD,PLTR`) unless named with `type=`.
    """

    __slots__ = ("default", "type", "help")

    def __init__(self, default, help="", type=None):
        self.type = type or infer_type(default)
        if self.type not in TYPES:
            raise ValueError(f"parameter type must be one of {', '.join(TYPES)}, not {self.type!r}")
        if self.type == "symbols" and isinstance(default, str):
            default = [s.strip() for s in default.split(",") if s.strip()]
        self.default = default
        self.help = help


def infer_type(default):
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, int):
        return "int"
    if isinstance(default, float):
        return "float"
    if isinstance(default, (list, tuple)):
        return "symbols"
    if isinstance(default, str):
        return "str"
    raise TypeError(f"cannot infer a parameter type from {default!r}; pass type=")


def declarations(parameters):
    """The class's `parameters` dict as the handshake declares it."""
    out = []
    for name, value in parameters.items():
        p = value if isinstance(value, Parameter) else Parameter(value)
        default = list(p.default) if p.type == "symbols" else p.default
        out.append({"name": name, "type": p.type, "default": default, "help": p.help})
    return out
