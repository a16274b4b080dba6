"""Asks for minute bars up to a time after now."""

import datetime
from thetabench import Strategy

class Peeks(Strategy):
    def initialize(self):
        self.sleeptime = "1D"
    def on_trading_iteration(self):
        tomorrow = self.get_datetime() + datetime.timedelta(days=1)
        self.get_historical_prices("SPY", 5, "minute", end=tomorrow)
