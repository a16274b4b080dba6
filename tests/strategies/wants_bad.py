"""Declares a series with a timestep thetabench does not serve."""

from thetabench import Strategy


class WantsBad(Strategy):
    def initialize(self):
        self.sleeptime = "1D"
        self.wants = [("SPY", "fortnight")]
