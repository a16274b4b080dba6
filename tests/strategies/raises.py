"""Raises inside on_trading_iteration, two frames deep."""

from thetabench import Strategy

class Raises(Strategy):
    def initialize(self):
        self.sleeptime = "1D"
    def on_trading_iteration(self):
        self.compute()
    def compute(self):
        return 1 / 0
