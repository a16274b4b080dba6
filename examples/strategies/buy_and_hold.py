"""buy-and-hold in Python: at the first open, buy one stock with 98% of the
cash (room for the open to gap above the last trade), then hold to the end."""

import math

from thetabench import Parameter, Strategy


class BuyAndHold(Strategy):
    name = "buy-and-hold.py"
    parameters = {"symbol": Parameter("SPY", help="the stock to buy")}

    def initialize(self):
        self.sleeptime = "1D"
        self.bought = False

    def on_trading_iteration(self):
        if self.bought:
            return
        symbol = self.parameters["symbol"]
        price = self.get_last_price(symbol)
        if price is None:
            return
        shares = math.floor(self.cash * 0.98 / price)
        if shares > 0:
            # A refusal (the account cannot pay) is in the run's events; the next open tries again.
            self.bought = self.submit_order(self.create_order(symbol, shares, "buy", tag="buy")) is not None
