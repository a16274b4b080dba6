"""Assets as thetabench names them on the wire: `SPY`, `^SPX`, OCC option symbols."""

import datetime as _dt
import functools


class Asset:
    """A stock, an index or an option contract.

    Asset("SPY")                                   a stock
    Asset("SPX", asset_type="index")               an index
    Asset("PLTR", asset_type="option", expiration=date(2025, 4, 18),
          strike=91, right="CALL")                 an option contract
    """

    __slots__ = ("symbol", "asset_type", "expiration", "strike", "right", "_wire")

    def __init__(self, symbol, asset_type="stock", expiration=None, strike=None, right=None):
        symbol = str(symbol).strip().upper()
        if asset_type not in ("stock", "index", "option"):
            raise ValueError(f"asset_type must be stock, index or option, not {asset_type!r}")
        if asset_type == "index" and symbol.startswith("^"):
            symbol = symbol[1:]
        self.symbol = symbol
        self.asset_type = asset_type
        self.expiration = None
        self.strike = None
        self.right = None
        if asset_type == "option":
            if expiration is None or strike is None or right is None:
                raise ValueError("an option needs expiration, strike and right")
            if isinstance(expiration, str):
                expiration = _dt.date.fromisoformat(expiration)
            right = str(right).upper()
            right = {"C": "CALL", "P": "PUT"}.get(right, right)
            if right not in ("CALL", "PUT"):
                raise ValueError(f"right must be CALL or PUT, not {right!r}")
            self.expiration = expiration
            self.strike = float(strike)
            self.right = right
            millis = int(round(self.strike * 1000))
            self._wire = f"{symbol}{expiration:%y%m%d}{right[0]}{millis:08d}"
        elif asset_type == "index":
            self._wire = "^" + symbol
        else:
            self._wire = symbol

    @classmethod
    def from_wire(cls, name):
        """The asset a wire name stands for (`SPY`, `^SPX`, `PLTR250418C00091000`)."""
        return _from_wire(cls, name)

    @classmethod
    def _parse_wire(cls, name):
        if name.startswith("^"):
            return cls(name[1:], "index")
        if len(name) > 15 and name[-9] in "CP" and name[-8:].isdigit() and name[-15:-9].isdigit():
            root, ymd, right, millis = name[:-15], name[-15:-9], name[-9], int(name[-8:])
            expiration = _dt.date(2000 + int(ymd[:2]), int(ymd[2:4]), int(ymd[4:]))
            return cls(root, "option", expiration, millis / 1000.0, right)
        return cls(name)

    @property
    def wire(self):
        return self._wire

    @property
    def multiplier(self):
        return 100 if self.asset_type == "option" else 1

    def __eq__(self, other):
        return isinstance(other, Asset) and self._wire == other._wire

    def __hash__(self):
        return hash(self._wire)

    def __lt__(self, other):
        return self._wire < other._wire

    def __repr__(self):
        if self.asset_type == "option":
            return f"Asset({self.symbol} {self.expiration} {self.strike:g} {self.right})"
        return f"Asset({self._wire})"

    __str__ = __repr__


# Assets are immutable and strategies name the same few every iteration: parse each name once.
@functools.lru_cache(maxsize=4096)
def _from_wire(cls, name):
    return cls._parse_wire(name)


def as_asset(asset):
    """Accepts an Asset or a plain symbol string (`"SPY"`, `"^SPX"`, OCC)."""
    if isinstance(asset, Asset):
        return asset
    if isinstance(asset, str):
        return Asset.from_wire(asset.strip().upper())
    raise TypeError(f"expected an Asset or a symbol string, got {type(asset).__name__}")
