"""Orders, positions and the refusal a strategy may catch."""

ORDER_TYPES = ("market", "limit", "stop", "stop_limit")


class OrderRefused(Exception):
    """The account refused the order (buying power, a short in a cash account).

    `submit_order` returns None instead of raising unless asked to raise;
    the refusal is in the run's events either way.
    """


class Order:
    """An order before and after submission; `id` is set once thetabench accepts it."""

    __slots__ = ("asset", "quantity", "side", "limit_price", "stop_price", "time_in_force", "tag", "id", "status")

    def __init__(self, asset, quantity, side, limit_price=None, stop_price=None, time_in_force="day", tag=""):
        side = str(side).lower()
        if side not in ("buy", "sell"):
            raise ValueError(f"side must be buy or sell, not {side!r}")
        time_in_force = str(time_in_force).lower()
        if time_in_force not in ("day", "gtc"):
            raise ValueError(f"time_in_force must be day or gtc, not {time_in_force!r}")
        if int(quantity) != quantity or quantity <= 0:
            raise ValueError(f"quantity must be a positive whole number, not {quantity!r}")
        self.asset = asset
        self.quantity = int(quantity)
        self.side = side
        self.limit_price = limit_price
        self.stop_price = stop_price
        self.time_in_force = time_in_force
        self.tag = tag
        self.id = None
        self.status = "new"

    @property
    def order_type(self):
        if self.limit_price is not None and self.stop_price is not None:
            return "stop_limit"
        if self.limit_price is not None:
            return "limit"
        if self.stop_price is not None:
            return "stop"
        return "market"

    def __repr__(self):
        prices = "".join(
            f" {name} {value}" for name, value in (("limit", self.limit_price), ("stop", self.stop_price)) if value
        )
        return f"Order(#{self.id} {self.side} {self.quantity} {self.asset} {self.order_type}{prices} {self.status})"


class Position:
    """A holding: signed quantity (short < 0) and average cost per share or per contract unit."""

    __slots__ = ("asset", "quantity", "average_cost")

    def __init__(self, asset, quantity, average_cost):
        self.asset = asset
        self.quantity = quantity
        self.average_cost = average_cost

    def __repr__(self):
        return f"Position({self.asset} {self.quantity} @ {self.average_cost})"
