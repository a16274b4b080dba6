"""Calls picked by delta: every Monday, buy one call on `symbol` 14 to 28 days
out whose delta is nearest `target_delta` among the strikes around the money;
sell it after `hold_days`. The greeks come from the option's 1m greeks
dataset (ThetaData's greeks/first_order, cached like any other data)."""

import datetime as _dt

from thetabench import Asset, Parameter, Strategy


class DeltaCalls(Strategy):
    name = "delta-calls.py"
    parameters = {
        "symbol": Parameter("PLTR", help="the underlying"),
        "target_delta": Parameter(0.30, help="the delta to buy, 0..1"),
        "strikes_tried": Parameter(16, help="strikes nearest the money whose greeks are read"),
        "hold_days": Parameter(5, help="sell after this many days"),
    }

    def initialize(self):
        if not 0 < self.parameters["target_delta"] < 1:
            raise ValueError(f"parameter target_delta={self.parameters['target_delta']}: must be in (0, 1)")
        self.sleeptime = "1D"
        self.bought = {}  # asset -> date bought

    def on_trading_iteration(self):
        today = self.get_datetime().date()
        for asset, day in list(self.bought.items()):
            position = self.get_position(asset)
            if position is not None and (today - day).days >= self.parameters["hold_days"]:
                self.submit_order(self.create_order(asset, position.quantity, "sell", tag="held long enough"))
                del self.bought[asset]
        if today.weekday() == 0 and not self.bought:
            call = self.pick(today)
            if call is not None and self.submit_order(self.create_order(call, 1, "buy", tag="by delta")):
                self.bought[call] = today

    def pick(self, today):
        """The call whose delta is nearest the target, or None."""
        symbol = self.parameters["symbol"]
        spot = self.get_last_price(symbol)
        window = [e for e in self.get_expirations(symbol) if 14 <= (e - today).days <= 28]
        if spot is None or not window:
            return None
        strikes = sorted(self.get_strikes(symbol, window[0]), key=lambda k: (abs(k - spot), k))
        best = None
        for strike in strikes[: self.parameters["strikes_tried"]]:
            call = Asset(symbol, "option", window[0], strike, "CALL")
            greeks = self.get_greeks(call)
            if greeks is None:
                continue
            if not (0 < greeks.delta < 1 and greeks.time <= self.get_datetime_utc().timestamp() * 1000):
                raise AssertionError(f"{call}: greeks {greeks} at {self.get_datetime()}")
            distance = abs(greeks.delta - self.parameters["target_delta"])
            if best is None or distance < best[0]:
                best = (distance, call, greeks)
        if best is not None:
            interest = self.get_open_interest(best[1])
            self.log_message(
                f"{best[1]}: delta {best[2].delta:.3f}, implied vol {best[2].implied_volatility:.3f}, "
                f"open interest {interest}"
            )
        return None if best is None else best[1]
