"""The child-process side of the strategy protocol (docs/strategy-protocol.md).

    python3 -m thetabench.runner FILE.py [--describe]

thetabench starts this; it loads FILE.py, finds its Strategy subclass, and
answers the host on stdin/stdout. `print` goes to stderr, which thetabench
shows as the strategy's log. `--describe` prints the handshake and exits
(`thetabench strategies` reads it).
"""

import importlib.util
import json
import os
import sys
import traceback

from . import PROTOCOL_VERSION
from .assets import as_asset
from .parameters import declarations
from .strategy import Strategy

_DONE = b'{"op":"done"}\n'
_SDK_DIR = os.path.dirname(os.path.abspath(__file__))


class NoStrategyClass(Exception):
    """The file does not define exactly one Strategy subclass."""


class HostGone(Exception):
    """thetabench closed the pipe: the run is over or was cancelled."""


class Host:
    """One JSON object per line each way."""

    def __init__(self, inp, out):
        self._inp = inp
        self._out = out
        self._dumps = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode
        self._loads = json.loads

    def send(self, message):
        self._out.write(self._dumps(message).encode() + b"\n")
        self._out.flush()

    def send_raw(self, line):
        self._out.write(line)
        self._out.flush()

    def receive(self):
        line = self._inp.readline()
        if not line:
            raise HostGone()
        return self._loads(line)

    def ask(self, message):
        self.send(message)
        return self.receive()


def load_strategy_class(path):
    """The one Strategy subclass defined in the file at `path`."""
    name = os.path.splitext(os.path.basename(path))[0].replace("-", "_") or "strategy"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{path} is not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    found = [
        value
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, Strategy) and value is not Strategy
        and value.__module__ == module.__name__
    ]
    if len(found) != 1:
        what = "no Strategy subclass" if not found else f"{len(found)} Strategy subclasses ({', '.join(c.__name__ for c in found)})"
        raise NoStrategyClass(f"{path} defines {what}; it must define exactly one (class MyStrategy(Strategy): ...)")
    return found[0]


def hello(cls):
    return {
        "op": "hello",
        "protocol": PROTOCOL_VERSION,
        "name": cls.name or cls.__name__,
        "parameters": declarations(cls.parameters),
    }


def _user_frames(error):
    return [f for f in traceback.extract_tb(error.__traceback__) if not f.filename.startswith(_SDK_DIR)]


def load_error(path, error):
    """Why a strategy file did not load, in one line that names file and line."""
    if isinstance(error, SyntaxError):
        return f"{error.filename or path}:{error.lineno}: {type(error).__name__}: {error.msg}"
    if isinstance(error, NoStrategyClass):
        return str(error)
    frames = [f for f in _user_frames(error) if not f.filename.startswith("<frozen")]
    where = f"{frames[-1].filename}:{frames[-1].lineno}: " if frames else ""
    return f"{where}{type(error).__name__}: {error}".replace("\n", " ")


def user_traceback(error):
    """The traceback without the SDK's own frames: the user's file and line first."""
    lines = ["Traceback (most recent call last):\n"] + traceback.format_list(_user_frames(error))
    lines += traceback.format_exception_only(type(error), error)
    return "".join(lines).rstrip("\n")


def serve(host, cls):
    start = host.receive()
    if start.get("op") != "start":
        raise RuntimeError(f"expected the host's start message, got {start.get('op')!r}")
    strategy = cls(host, start["parameters"], start["start"], start["end"], start["cash"])
    strategy.initialize()
    wants = [{"asset": as_asset(a).wire, "timestep": str(t)} for a, t in strategy.wants]
    host.send({"op": "ready", "sleeptime": str(strategy.sleeptime), "wants": wants})
    begin, iterate, end = strategy._begin_iteration, strategy.on_trading_iteration, strategy._end_iteration
    while True:
        message = host.receive()
        op = message.get("op")
        if op == "iterate":
            begin(message)
            iterate()
            done = end()
            if done is None:
                host.send_raw(_DONE)
            else:
                host.send(done)
        elif op == "stop":
            strategy.on_strategy_end()
            host.send({"op": "stopped"})
            return
        else:
            raise RuntimeError(f"unexpected message from thetabench: {op!r}")


def pin_to_one_cpu():
    """Runs on the CPU thetabench chose for its engine thread (THETABENCH_CPU):
    the protocol is a strict ping-pong, and waking the other side on another
    CPU costs far more than the message (see strategies/external/affinity.rs)."""
    cpu = os.environ.get("THETABENCH_CPU", "")
    if not cpu.isdigit() or not hasattr(os, "sched_setaffinity"):
        return
    try:
        os.sched_setaffinity(0, {int(cpu)})
    except OSError:
        pass


def main(argv):
    pin_to_one_cpu()
    # The protocol keeps the real stdout; print() and stray writes go to stderr.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    host = Host(sys.stdin.buffer, out)
    args = [a for a in argv if not a.startswith("--")]
    if len(args) != 1:
        host.send({"op": "error", "message": "usage: python3 -m thetabench.runner FILE.py [--describe]", "traceback": ""})
        return 2
    try:
        cls = load_strategy_class(args[0])
    except BaseException as error:  # noqa: BLE001 - a file that does not load is one line to the host
        host.send({"op": "error", "message": load_error(args[0], error), "traceback": ""})
        return 1
    try:
        host.send(hello(cls))
        if "--describe" in argv:
            return 0
        serve(host, cls)
        return 0
    except HostGone:
        return 0
    except BaseException as error:  # noqa: BLE001 - everything reaches the host, then we exit
        if isinstance(error, KeyboardInterrupt):
            return 130
        message = "".join(traceback.format_exception_only(type(error), error)).strip()
        try:
            host.send({"op": "error", "message": message, "traceback": user_traceback(error)})
        except (BrokenPipeError, OSError):
            pass
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
