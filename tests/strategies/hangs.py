"""Never answers an iteration."""

import time
from thetabench import Strategy

class Hangs(Strategy):
    def on_trading_iteration(self):
        time.sleep(60)
