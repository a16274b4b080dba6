"""sma-cross in Python: long when the fast moving average of 1m closes is above
the slow one, flat otherwise. It makes the same decisions as the built-in
sma-cross, so `thetabench parity` finds the two runs identical."""

from thetabench import Parameter, Strategy


def lane_sum(values):
    """Sums as the built-in does (four interleaved lanes, then the remainder),
    so the averages agree to the last bit and so do the crossings."""
    whole = len(values) - len(values) % 4
    lanes = [0.0, 0.0, 0.0, 0.0]
    for i in range(0, whole, 4):
        lanes[0] += values[i]
        lanes[1] += values[i + 1]
        lanes[2] += values[i + 2]
        lanes[3] += values[i + 3]
    rest = 0.0
    for v in values[whole:]:
        rest += v
    return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + rest


class SmaCross(Strategy):
    name = "sma-cross.py"
    parameters = {
        "symbols": Parameter(["SPY"], help="stocks to trade, e.g. SPY,QQQ"),
        "fast": Parameter(10, help="bars in the fast average"),
        "slow": Parameter(30, help="bars in the slow average"),
        "quantity": Parameter(10, help="shares per entry"),
    }

    def initialize(self):
        p = self.parameters
        if not (1 <= p["fast"] < p["slow"]):
            raise ValueError("fast must be at least 1 and below slow")
        if p["quantity"] <= 0:
            raise ValueError("quantity must be positive")
        self.sleeptime = "1M"
        self.wants = [(symbol, "minute") for symbol in p["symbols"]]
        self.refused = {symbol: False for symbol in p["symbols"]}

    def on_trading_iteration(self):
        fast, slow, quantity = self.parameters["fast"], self.parameters["slow"], self.parameters["quantity"]
        pending = {order.asset.symbol for order in self.get_orders()}
        for symbol in self.parameters["symbols"]:
            closes = self.get_historical_prices(symbol, slow, "minute").close
            if len(closes) < slow:
                continue
            fast_sum = lane_sum(closes[slow - fast:])
            older_sum = lane_sum(closes[: slow - fast])
            fast_avg, slow_avg = fast_sum / fast, (older_sum + fast_sum) / slow
            position = self.get_position(symbol)
            held = position.quantity if position else 0
            if symbol in pending:
                continue
            if fast_avg <= slow_avg:
                self.refused[symbol] = False
            if fast_avg > slow_avg and held == 0 and not self.refused[symbol]:
                order = self.submit_order(self.create_order(symbol, quantity, "buy", tag="cross up"))
                self.refused[symbol] = order is None
            elif fast_avg < slow_avg and held > 0:
                self.submit_order(self.create_order(symbol, held, "sell", tag="cross down"))
