"""Writes a line that is not a protocol message."""

from thetabench import Strategy


class Garbage(Strategy):
    def on_trading_iteration(self):
        self._host.send_raw(b"this is not json\n")
