"""Bars and quotes a strategy asked for: plain lists always, numpy arrays or a
polars DataFrame when those are installed."""

import collections
import datetime as _dt

_UTC = _dt.timezone.utc

Bar = collections.namedtuple("Bar", "time open high low close volume count")
QuoteRow = collections.namedtuple("QuoteRow", "time bid ask bid_size ask_size")


class _Columns:
    """Columns of equal length, oldest row first; `time` is UTC milliseconds."""

    COLUMNS = ()
    ROW = None
    INTEGERS = ()
    __slots__ = ("asset", "timestep", "_columns")

    def __init__(self, asset, timestep, columns):
        self.asset = asset
        self.timestep = timestep
        self._columns = {name: columns[name] for name in self.COLUMNS}

    def __getattr__(self, name):
        try:
            return self._columns[name]
        except KeyError:
            raise AttributeError(name) from None

    def __len__(self):
        return len(self._columns["time"])

    def __getitem__(self, i):
        return self.ROW(*(self._columns[name][i] for name in self.COLUMNS))

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __repr__(self):
        return f"{type(self).__name__}({self.asset}, {self.timestep}, {len(self)} rows)"

    def datetimes(self):
        """Each row's time as an aware UTC datetime."""
        return [_dt.datetime.fromtimestamp(ms / 1000, _UTC) for ms in self._columns["time"]]

    def to_numpy(self):
        """A dict of numpy arrays, one per column (`time` as datetime64[ms])."""
        try:
            import numpy as np
        except ImportError:
            raise ImportError(f"{type(self).__name__}.to_numpy() needs numpy: pip install numpy") from None
        out = {}
        for name in self.COLUMNS:
            dtype = "datetime64[ms]" if name == "time" else (np.int64 if name in self.INTEGERS else np.float64)
            out[name] = np.asarray(self._columns[name], dtype=dtype)
        return out

    @property
    def df(self):
        """A polars DataFrame with a UTC `time` column."""
        try:
            import polars as pl
        except ImportError:
            raise ImportError(f"{type(self).__name__}.df needs polars: pip install polars") from None
        frame = pl.DataFrame(self._columns)
        return frame.with_columns(pl.from_epoch("time", time_unit="ms").dt.replace_time_zone("UTC"))


class Bars(_Columns):
    """The last complete OHLC bars of one asset at one timestep: `bars.close`,
    `bars.time` (each bar's open), ...; `bars[i]` is one `Bar`."""

    COLUMNS = Bar._fields
    ROW = Bar
    INTEGERS = ("volume", "count")
    __slots__ = ()


class Quotes(_Columns):
    """The last NBBO snapshots of one asset, one a minute: `quotes.bid`,
    `quotes.ask`, ...; `quotes[i]` is one `QuoteRow`."""

    COLUMNS = QuoteRow._fields
    ROW = QuoteRow
    INTEGERS = ("bid_size", "ask_size")
    __slots__ = ()
