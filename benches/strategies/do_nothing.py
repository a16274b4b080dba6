"""Runs every minute and does nothing: what the protocol itself costs."""

from thetabench import Strategy


class DoNothing(Strategy):
    def initialize(self):
        self.sleeptime = "1M"
