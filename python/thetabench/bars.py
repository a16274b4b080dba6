"""Bars a strategy asked for: plain lists always, numpy arrays or a polars
DataFrame when those are installed."""

import collections
import datetime as _dt

Bar = collections.namedtuple("Bar", "time open high low close volume count")

COLUMNS = ("time", "open", "high", "low", "close", "volume", "count")
_UTC = _dt.timezone.utc


class Bars:
    """The last complete bars of one asset at one timestep, oldest first.

    Columns are lists: `bars.close`, `bars.time` (UTC milliseconds of each bar's
    open), ... `bars[i]` is one `Bar`; `bars.to_numpy()` and `bars.df` (polars)
    need those packages.
    """

    __slots__ = ("asset", "timestep") + COLUMNS

    def __init__(self, asset, timestep, columns):
        self.asset = asset
        self.timestep = timestep
        for name in COLUMNS:
            setattr(self, name, columns[name])

    def __len__(self):
        return len(self.time)

    def __getitem__(self, i):
        return Bar(*(getattr(self, name)[i] for name in COLUMNS))

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __repr__(self):
        return f"Bars({self.asset}, {self.timestep}, {len(self)} bars)"

    def datetimes(self):
        """Each bar's open as an aware UTC datetime."""
        return [_dt.datetime.fromtimestamp(ms / 1000, _UTC) for ms in self.time]

    def to_numpy(self):
        """A dict of numpy arrays, one per column (`time` as datetime64[ms])."""
        try:
            import numpy as np
        except ImportError:
            raise ImportError("Bars.to_numpy() needs numpy: pip install numpy") from None
        out = {name: np.asarray(getattr(self, name), dtype=np.float64) for name in ("open", "high", "low", "close")}
        out["volume"] = np.asarray(self.volume, dtype=np.int64)
        out["count"] = np.asarray(self.count, dtype=np.int64)
        out["time"] = np.asarray(self.time, dtype="datetime64[ms]")
        return out

    @property
    def df(self):
        """A polars DataFrame with a UTC `time` column."""
        try:
            import polars as pl
        except ImportError:
            raise ImportError("Bars.df needs polars: pip install polars") from None
        frame = pl.DataFrame({name: getattr(self, name) for name in COLUMNS})
        return frame.with_columns(pl.from_epoch("time", time_unit="ms").dt.replace_time_zone("UTC"))
