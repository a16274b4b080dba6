"""weekly-momentum in Python: every Thursday, rank ten stocks by momentum over
the last 63 daily bars and buy a call on the best one, 14 to 28 days out,
struck at the money, with 7% of cash; exit at +100%, -50% or after 7 days.

It makes the same decisions as the built-in weekly-momentum (whose comments
list where both deviate from the Python reference), so `thetabench parity`
finds the two runs identical."""

import math

from thetabench import Asset, Parameter, Strategy

DEFAULT_SYMBOLS = ["HOOD", "VST", "STX", "WDC", "PLTR", "APP", "NRG", "CCJ", "CVNA", "HIMS"]
# How many strikes around the money are tried before giving up on a symbol.
STRIKE_CANDIDATES = 5


def round_half_away(x):
    """Rounds half away from zero, as the built-in does (Python's round() rounds half to even)."""
    whole = math.floor(abs(x))
    up = abs(x) - whole >= 0.5
    return math.copysign(whole + (1 if up else 0), x)


class WeeklyMomentum(Strategy):
    name = "weekly-momentum.py"
    parameters = {
        "symbols": Parameter(DEFAULT_SYMBOLS, help="the stocks ranked every Thursday"),
        "allocation_pct": Parameter(0.07, help="fraction of cash per entry"),
        "min_days_to_expiry": Parameter(14, help="nearest expiration, in days"),
        "max_days_to_expiry": Parameter(28, help="farthest expiration, in days"),
        "take_profit_pct": Parameter(1.0, help="exit at this gain, 1.0 = +100%"),
        "stop_loss_pct": Parameter(-0.5, help="exit at this loss, -0.5 = -50%"),
        "hold_days": Parameter(7, help="exit after this many days"),
        "momentum_days": Parameter(63, help="daily bars the momentum spans"),
        "max_simultaneous": Parameter(1, help="open positions at most"),
    }

    def initialize(self):
        p = self.parameters
        checks = [
            ("allocation_pct", 0 < p["allocation_pct"] <= 1, "must be in (0, 1]"),
            ("min_days_to_expiry", p["min_days_to_expiry"] >= 0, "must not be negative"),
            ("max_days_to_expiry", p["max_days_to_expiry"] >= p["min_days_to_expiry"], "must be >= min_days_to_expiry"),
            ("take_profit_pct", p["take_profit_pct"] > 0, "must be positive"),
            ("stop_loss_pct", -1 < p["stop_loss_pct"] < 0, "must be in (-1, 0)"),
            ("hold_days", p["hold_days"] >= 1, "must be at least 1"),
            ("momentum_days", p["momentum_days"] >= 2, "must be at least 2"),
            ("max_simultaneous", p["max_simultaneous"] >= 1, "must be at least 1"),
        ]
        for key, ok, why in checks:
            if not ok:
                raise ValueError(f"parameter {key}={p[key]}: {why}")
        self.sleeptime = "1D"
        self.last_traded_week = None
        self.entries = {}  # asset -> (entry price, entry date)
        self.exiting = set()

    # --- events ----------------------------------------------------------------

    def on_event(self, event):
        kind = event["event"]
        asset = Asset.from_wire(event["asset"]) if "asset" in event else None
        if kind == "filled" and event["side"] == "buy" and event["tag"] == "entry":
            self.entries[asset] = (event["price"], event["date_et"])
        elif (kind == "filled" and event["side"] == "sell") or kind == "settled":
            self.entries.pop(asset, None)
            self.exiting.discard(asset)
        elif kind in ("expired", "cancelled"):
            # An exit that did not fill is tried again next session.
            self.exiting.discard(asset)

    # --- decisions ---------------------------------------------------------------

    def rank(self):
        scores = []
        for symbol in self.parameters["symbols"]:
            closes = self.get_historical_prices(symbol, self.parameters["momentum_days"], "day").close
            if len(closes) < 2 or closes[0] <= 0:
                continue
            scores.append((symbol, (closes[-1] - closes[0]) / closes[0]))
        scores.sort(key=lambda s: (-s[1], s[0]))
        return scores

    def option_price(self, asset):
        quote = self.get_quote(asset)
        if quote is not None and quote.bid > 0 and quote.ask > 0:
            return (quote.bid + quote.ask) / 2
        return self.get_last_price(asset)

    def holds_underlying(self, symbol):
        return any(asset.symbol == symbol for asset in self.entries)

    def try_buy(self, symbol, today):
        earliest = today.toordinal() + self.parameters["min_days_to_expiry"]
        latest = today.toordinal() + self.parameters["max_days_to_expiry"]
        fitting = [e for e in self.get_expirations(symbol) if earliest <= e.toordinal() <= latest]
        if not fitting:
            return False
        expiration = fitting[0]
        spot = self.get_last_price(symbol)
        if spot is None:
            return False
        target = round_half_away(spot)
        strikes = sorted(self.get_strikes(symbol, expiration), key=lambda k: (abs(k - target), k))
        for strike in strikes[:STRIKE_CANDIDATES]:
            contract = Asset(symbol, "option", expiration, strike, "CALL")
            mid = self.option_price(contract)
            if mid is None:
                continue
            limit = round_half_away(mid * 100.0) / 100.0
            if limit <= 0:
                continue
            contracts = math.floor(self.cash * self.parameters["allocation_pct"] / (limit * 100.0))
            if contracts < 1:
                continue
            # Refused by the account (recorded in the run): no entry this week.
            order = self.create_order(contract, contracts, "buy", limit_price=limit, tag="entry")
            return self.submit_order(order) is not None
        return False

    def manage_exits(self, today):
        p = self.parameters
        for asset, (price, date) in sorted(self.entries.items()):
            position = self.get_position(asset)
            held = position.quantity if position else 0
            if held <= 0 or asset in self.exiting:
                continue
            held_days = today.toordinal() - _date(date).toordinal()
            now_price = self.option_price(asset)
            pnl = None if now_price is None else (now_price - price) / price
            if pnl is not None and pnl >= p["take_profit_pct"]:
                reason = "exit: take profit"
            elif pnl is not None and pnl <= p["stop_loss_pct"]:
                reason = "exit: stop loss"
            elif held_days >= p["hold_days"]:
                reason = "exit: held long enough"
            else:
                continue
            if self.submit_order(self.create_order(asset, held, "sell", tag=reason)) is not None:
                self.exiting.add(asset)

    def on_trading_iteration(self):
        today = self.get_datetime().date()
        self.manage_exits(today)
        year, week, weekday = today.isocalendar()
        if weekday != 4 or self.last_traded_week == (year, week):
            return
        open_positions = len(self.entries) - len(self.exiting)
        entering = any(order.tag == "entry" for order in self.get_orders())
        if open_positions < self.parameters["max_simultaneous"] and not entering:
            for symbol, _ in self.rank():
                if not self.holds_underlying(symbol) and self.try_buy(symbol, today):
                    break
        self.last_traded_week = (year, week)


def _date(iso):
    import datetime

    return datetime.date.fromisoformat(iso)
