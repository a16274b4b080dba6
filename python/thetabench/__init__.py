"""Strategies for thetabench, written in Python.

    from thetabench import Strategy

    class BuyTheOpen(Strategy):
        parameters = {"symbol": Parameter("SPY", help="the stock to buy")}

        def initialize(self):
            self.sleeptime = "1D"

        def on_trading_iteration(self):
            ...

`thetabench run --strategy my_strategy.py` starts this file in a child process
and drives it over stdin/stdout (docs/strategy-protocol.md). Pure Python, no
required dependencies; numpy and polars are used when installed.
"""

from .assets import Asset
from .bars import Bars, Quotes
from .orders import Order, OrderRefused, Position
from .parameters import Parameter
from .strategy import Greeks, Quote, Strategy, StrategyError

PROTOCOL_VERSION = 1

__all__ = [
    "Asset",
    "Bars",
    "Greeks",
    "Order",
    "OrderRefused",
    "Parameter",
    "Position",
    "Quote",
    "Quotes",
    "Strategy",
    "StrategyError",
    "PROTOCOL_VERSION",
]
