"""The Strategy base class: what a strategy overrides and what it may call."""

import datetime as _dt

from .assets import Asset, as_asset
from .bars import Bars, Quotes
from .orders import Order, OrderRefused, Position

Quote = __import__("collections").namedtuple("Quote", "time bid ask bid_size ask_size")
Greeks = __import__("collections").namedtuple(
    "Greeks", "time bid ask delta theta vega rho implied_volatility underlying_price"
)

_UTC = _dt.timezone.utc
# Questions about the data as of now: thetabench answers them up front at the
# next iteration when they were asked at this one (the "standing" questions).
_DATA_QUESTIONS = frozenset(
    ("history", "quotes", "last_price", "quote", "greeks", "open_interest", "expirations", "strikes")
)
def _key(question):
    """A question's identity: its fields, in name order (values are scalars)."""
    return tuple(sorted(question.items()))
_TIMESTEPS = {"minute": "minute", "1m": "minute", "1min": "minute", "day": "day", "1d": "day"}


class StrategyError(Exception):
    """thetabench refused a question or an order (the message says why)."""


class Strategy:
    """Subclass it, override `on_trading_iteration` (and `initialize`), and run
    the file with `thetabench run --strategy FILE.py`.

    Class attributes:
        name        the strategy's name in runs and listings (default: the class name)
        parameters  {"name": default or Parameter(default, help=...)}

    Set `self.sleeptime` in `initialize`: "1D" runs once per session at the
    open, "5M" every five minutes of the session ("1M" is the default).
    """

    name = None
    parameters = {}

    def __init__(self, host, parameters, start, end, initial_cash):
        self._host = host
        self.parameters = dict(parameters)
        self.start = start
        self.end = end
        self.initial_cash = initial_cash
        self.sleeptime = "1M"
        # Optional: [(asset, "minute" | "day"), ...] loaded before the first iteration.
        self.wants = []
        self._now_ms = 0
        self._et_offset = _dt.timezone(_dt.timedelta(0))
        self._cash = initial_cash
        self._positions = {}
        self._open_orders = []
        self._orders = {}
        self._standing = []
        self._answered = {}

    # --- what a strategy overrides -------------------------------------------------

    def initialize(self):
        """Called once before the first iteration, with `self.parameters` set."""

    def on_trading_iteration(self):
        """Called at every iteration the sleeptime asks for."""

    def on_filled_order(self, position, order, price, quantity, multiplier):
        """An order (or part of it) filled; `position` is the holding after it (None when closed)."""

    def on_canceled_order(self, order):
        """An order was cancelled, expired at the close, or refused at its fill."""

    def on_settled(self, asset, quantity, intrinsic):
        """An option position was settled at expiry at its intrinsic value."""

    def on_event(self, event):
        """Every broker event as a dict (`event["event"]` names it), after the specific hooks."""

    def on_strategy_end(self):
        """Called once after the last iteration."""

    # --- time ----------------------------------------------------------------------

    def get_datetime(self):
        """Now, in New York time (aware)."""
        return _dt.datetime.fromtimestamp(self._now_ms / 1000, self._et_offset)

    def get_datetime_utc(self):
        """Now, in UTC (aware)."""
        return _dt.datetime.fromtimestamp(self._now_ms / 1000, _UTC)

    # --- data, as of now -----------------------------------------------------------

    def get_historical_prices(self, asset, length, timestep="minute", end=None):
        """The last `length` complete bars (fewer when the data begins later).

        `end` (an aware datetime) asks for the bars that had closed by then; a
        time after now is refused: no strategy sees a bar before it closes.
        """
        asset = as_asset(asset)
        step = _TIMESTEPS.get(str(timestep).lower())
        if step is None:
            raise ValueError(f"timestep must be 'minute' or 'day', not {timestep!r}")
        message = {"op": "history", "asset": asset.wire, "length": int(length), "timestep": step}
        if end is not None:
            if end.tzinfo is None:
                raise ValueError("end must be an aware datetime (with a time zone)")
            message["end"] = int(end.timestamp() * 1000)
        reply = self._ask(message)
        return Bars(asset, step, reply)

    def get_historical_quotes(self, asset, length):
        """The last `length` NBBO snapshots (one a minute) known now, as `Quotes`."""
        asset = as_asset(asset)
        reply = self._ask({"op": "quotes", "asset": asset.wire, "length": int(length)})
        return Quotes(asset, "minute", reply)

    def get_last_price(self, asset):
        """The close of the last complete minute with a trade, or None."""
        return self._ask({"op": "last_price", "asset": as_asset(asset).wire})["price"]

    def get_quote(self, asset):
        """The latest NBBO as a `Quote` (time in UTC ms), or None."""
        q = self._ask({"op": "quote", "asset": as_asset(asset).wire})["quote"]
        return None if q is None else Quote(q["time"], q["bid"], q["ask"], q["bid_size"], q["ask_size"])

    def get_greeks(self, asset):
        """An option's latest greeks as `Greeks` (time in UTC ms; theta per
        calendar day), from the NBBO at that minute; None before any that a
        volatility priced."""
        g = self._ask({"op": "greeks", "asset": as_asset(asset).wire})["greeks"]
        if g is None:
            return None
        return Greeks(
            g["time"], g["bid"], g["ask"], g["delta"], g["theta"], g["vega"], g["rho"], g["implied_vol"],
            g["underlying_price"],
        )

    def get_open_interest(self, asset):
        """An option's latest open interest (reported once a day before the
        open), or None."""
        reported = self._ask({"op": "open_interest", "asset": as_asset(asset).wire})["open_interest"]
        return None if reported is None else reported["open_interest"]

    def get_expirations(self, underlying):
        """Option expirations of `underlying` on or after today, as dates."""
        reply = self._ask({"op": "expirations", "underlying": _symbol(underlying)})
        return [_dt.date.fromisoformat(d) for d in reply["expirations"]]

    def get_strikes(self, underlying, expiration):
        """Strikes (dollars) listed for one expiration."""
        reply = self._ask({"op": "strikes", "underlying": _symbol(underlying), "expiration": str(expiration)})
        return reply["strikes"]

    # --- the account ---------------------------------------------------------------

    @property
    def cash(self):
        return self._cash

    @property
    def portfolio_value(self):
        """Cash plus every position at its current mark."""
        return self._ask({"op": "portfolio_value"})["value"]

    @property
    def buying_power(self):
        """What a new order may still spend (cash, or the margin account's excess)."""
        return self._ask({"op": "buying_power"})["value"]

    def get_positions(self):
        return list(self._positions.values())

    def get_position(self, asset):
        return self._positions.get(as_asset(asset))

    def get_orders(self):
        """The open orders, oldest first."""
        return list(self._open_orders)

    # --- orders --------------------------------------------------------------------

    def create_order(self, asset, quantity, side, limit_price=None, stop_price=None, time_in_force="day", tag=""):
        return Order(as_asset(asset), quantity, side, limit_price, stop_price, time_in_force, tag)

    def submit_order(self, order, raise_if_refused=False):
        """Submits `order`; returns it with its id. An order the account refuses
        returns None (or raises `OrderRefused`); the refusal is in the run's events."""
        reply = self._host.ask(
            {
                "op": "submit",
                "asset": order.asset.wire,
                "side": order.side,
                "quantity": order.quantity,
                "type": order.order_type,
                "limit": order.limit_price,
                "stop": order.stop_price,
                "tif": order.time_in_force,
                "tag": order.tag,
            }
        )
        if reply.get("ok"):
            order.id = reply["id"]
            order.status = "open"
            self._orders[order.id] = order
            self._open_orders.append(order)
            return order
        if reply.get("refused"):
            order.status = "refused"
            if raise_if_refused:
                raise OrderRefused(reply["error"])
            return None
        raise StrategyError(reply["error"])

    def cancel_order(self, order):
        """Cancels an open order (an `Order` or its id); False when it was not open."""
        order_id = order.id if isinstance(order, Order) else int(order)
        cancelled = self._ask({"op": "cancel", "id": order_id})["cancelled"]
        if cancelled:
            self._open_orders = [o for o in self._open_orders if o.id != order_id]
        return cancelled

    # --- logging -------------------------------------------------------------------

    def log_message(self, message, level="info"):
        """A line in the run's log (the workbench's log pane, the CLI's stderr)."""
        self._host.send({"op": "log", "level": str(level).lower(), "message": str(message)})

    # --- the runner's side ---------------------------------------------------------

    def _ask(self, message):
        if message["op"] in _DATA_QUESTIONS:
            self._standing.append(message)
            reply = self._answered.pop(_key(message), None)
            if reply is None:
                reply = self._host.ask(message)
        else:
            reply = self._host.ask(message)
        if not reply.get("ok"):
            raise StrategyError(reply.get("error", "refused"))
        return reply

    def _begin_iteration(self, message):
        self._now_ms = message["now"]
        self._standing = []
        answers = message.get("answers")
        self._answered = {_key(q): reply for q, reply in answers} if answers else {}
        self._et_offset = _dt.timezone(_dt.timedelta(minutes=message["et_offset"]))
        self._cash = message["cash"]
        self._positions = {}
        for wire, quantity, average_cost in message["positions"]:
            asset = Asset.from_wire(wire)
            self._positions[asset] = Position(asset, quantity, average_cost)
        open_ids = set(message["orders"])
        self._open_orders = [o for i, o in self._orders.items() if i in open_ids]
        for event in message["events"]:
            self._dispatch(event)

    def _end_iteration(self):
        """The `done` message, with the data questions asked (see _DATA_QUESTIONS)."""
        return {"op": "done", "standing": self._standing} if self._standing else None

    def _dispatch(self, event):
        kind = event["event"]
        order = self._orders.get(event.get("order_id"))
        if kind == "filled":
            asset = Asset.from_wire(event["asset"])
            if order is not None:
                order.status = "filled"
            self.on_filled_order(
                self._positions.get(asset), order, event["price"], event["quantity"], asset.multiplier
            )
        elif kind in ("cancelled", "expired", "rejected") and order is not None:
            order.status = "canceled" if kind == "cancelled" else kind
            self.on_canceled_order(order)
        elif kind == "settled":
            self.on_settled(Asset.from_wire(event["asset"]), event["quantity"], event["intrinsic"])
        if kind in ("filled", "cancelled", "expired", "rejected") and order is not None:
            self._orders.pop(order.id, None)
        self.on_event(event)


def _symbol(underlying):
    return underlying.symbol if isinstance(underlying, Asset) else str(underlying).strip().upper()
