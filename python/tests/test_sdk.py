"""The SDK on its own: assets, parameters, orders, bars, and one whole
conversation with a scripted host (no thetabench needed)."""

import datetime
import io
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from thetabench import Asset, Bars, Order, Parameter, Strategy  # noqa: E402
from thetabench import runner  # noqa: E402
from thetabench.parameters import declarations  # noqa: E402


class AssetTest(unittest.TestCase):
    def test_options_round_trip_through_occ(self):
        call = Asset("pltr", "option", datetime.date(2025, 4, 18), 91, "C")
        self.assertEqual(call.wire, "PLTR250418C00091000")
        self.assertEqual(Asset.from_wire("PLTR250418C00091000"), call)
        put = Asset.from_wire("SPY250620P00512500")
        self.assertEqual((put.symbol, put.strike, put.right, put.multiplier), ("SPY", 512.5, "PUT", 100))

    def test_stocks_and_indices(self):
        self.assertEqual(Asset.from_wire("^SPX"), Asset("SPX", "index"))
        self.assertEqual(Asset("spy").wire, "SPY")
        self.assertEqual(Asset("SPY").multiplier, 1)
        with self.assertRaises(ValueError):
            Asset("X", "option", datetime.date(2025, 1, 17), 10, "both")


class ParameterTest(unittest.TestCase):
    def test_types_follow_defaults(self):
        declared = declarations(
            {"n": 3, "pct": 0.5, "name": "x", "on": True, "symbols": Parameter("HOOD, PLTR", help="what", type="symbols")}
        )
        kinds = {d["name"]: (d["type"], d["default"]) for d in declared}
        self.assertEqual(
            kinds,
            {
                "n": ("int", 3),
                "pct": ("float", 0.5),
                "name": ("str", "x"),
                "on": ("bool", True),
                "symbols": ("symbols", ["HOOD", "PLTR"]),
            },
        )
        with self.assertRaises(TypeError):
            declarations({"bad": None})


class OrderTest(unittest.TestCase):
    def test_type_follows_prices_and_bad_orders_are_refused(self):
        spy = Asset("SPY")
        self.assertEqual(Order(spy, 1, "buy").order_type, "market")
        self.assertEqual(Order(spy, 1, "buy", limit_price=1.0).order_type, "limit")
        self.assertEqual(Order(spy, 1, "sell", stop_price=1.0).order_type, "stop")
        self.assertEqual(Order(spy, 1, "sell", limit_price=0.9, stop_price=1.0).order_type, "stop_limit")
        for bad in [dict(quantity=0), dict(quantity=1.5), dict(side="hold"), dict(time_in_force="ioc")]:
            args = dict(asset=spy, quantity=1, side="buy")
            args.update(bad)
            with self.assertRaises(ValueError, msg=str(bad)):
                Order(**args)


class BarsTest(unittest.TestCase):
    def test_columns_rows_and_optional_libraries(self):
        columns = {
            "time": [0, 60000],
            "open": [1.0, 2.0],
            "high": [1.5, 2.5],
            "low": [0.5, 1.5],
            "close": [1.2, 2.2],
            "volume": [10, 20],
            "count": [1, 2],
        }
        bars = Bars(Asset("SPY"), "minute", columns)
        self.assertEqual(len(bars), 2)
        self.assertEqual(bars[1].close, 2.2)
        self.assertEqual([b.volume for b in bars], [10, 20])
        self.assertEqual(bars.datetimes()[1].isoformat(), "1970-01-01T00:01:00+00:00")
        try:
            import numpy  # noqa: F401
        except ImportError:
            with self.assertRaisesRegex(ImportError, "pip install numpy"):
                bars.to_numpy()


class Buyer(Strategy):
    name = "buyer"
    parameters = {"quantity": Parameter(3, help="shares")}

    def initialize(self):
        self.sleeptime = "1D"
        self.wants = [("SPY", "minute")]
        self.fills = []

    def on_trading_iteration(self):
        price = self.get_last_price("SPY")
        self.log_message(f"price {price} at {self.get_datetime():%H:%M}")
        self.submit_order(self.create_order("SPY", self.parameters["quantity"], "buy", limit_price=price))

    def on_filled_order(self, position, order, price, quantity, multiplier):
        self.fills.append((order.id, price, quantity, position.quantity))


class ConversationTest(unittest.TestCase):
    def test_a_scripted_host_sees_the_protocol(self):
        now = 1748871000000  # 2025-06-02 13:30 UTC, 09:30 in New York
        host_lines = [
            {"op": "start", "parameters": {"quantity": 5}, "start": "2025-06-02", "end": "2025-06-03", "cash": 1000.0},
            {"op": "iterate", "now": now, "et_offset": -240, "cash": 1000.0, "positions": [], "orders": [], "events": []},
            {"ok": True, "price": 100.5},
            {"ok": True, "id": 1},
            {
                "op": "iterate",
                "now": now + 86400000,
                "et_offset": -240,
                "cash": 497.5,
                "positions": [["SPY", 5, 100.5]],
                "orders": [],
                "events": [
                    {"event": "filled", "order_id": 1, "asset": "SPY", "side": "buy", "quantity": 5,
                     "price": 100.5, "fee": 0.0, "tag": "", "time": now + 60000, "date_et": "2025-06-02"}
                ],
                # The question asked last time, answered up front: no round trip for it.
                "answers": [[{"asset": "SPY", "op": "last_price"}, {"ok": True, "price": 101.0}]],
            },
            {"ok": False, "refused": True, "error": "insufficient buying power"},
            {"op": "stop"},
        ]
        inp = io.BytesIO("".join(json.dumps(m) + "\n" for m in host_lines).encode())
        out = io.BytesIO()
        host = runner.Host(inp, out)
        host.send(runner.hello(Buyer))
        runner.serve(host, Buyer)
        sent = [json.loads(line) for line in out.getvalue().decode().splitlines()]
        ops = [m["op"] for m in sent]
        self.assertEqual(
            ops,
            ["hello", "ready", "last_price", "log", "submit", "done", "log", "submit", "done", "stopped"],
        )
        self.assertEqual(sent[5], {"op": "done", "standing": [{"op": "last_price", "asset": "SPY"}]})
        self.assertEqual(sent[6]["message"], "price 101.0 at 09:30")
        self.assertEqual(sent[0]["parameters"], [{"name": "quantity", "type": "int", "default": 3, "help": "shares"}])
        self.assertEqual(sent[1], {"op": "ready", "sleeptime": "1D", "wants": [{"asset": "SPY", "timestep": "minute"}]})
        self.assertEqual(sent[3]["message"], "price 100.5 at 09:30")
        self.assertEqual(
            sent[4],
            {"op": "submit", "asset": "SPY", "side": "buy", "quantity": 5, "type": "limit", "limit": 100.5,
             "stop": None, "tif": "day", "tag": ""},
        )


class LoadTest(unittest.TestCase):
    def write(self, text):
        f = tempfile.NamedTemporaryFile("w", suffix=".py", delete=False)
        f.write(text)
        f.close()
        self.addCleanup(os.unlink, f.name)
        return f.name

    def load_error(self, text):
        """The one line a file that does not load gives (assertRaises would drop the traceback)."""
        path = self.write(text)
        try:
            runner.load_strategy_class(path)
        except Exception as error:  # noqa: BLE001 - any load failure is what is tested
            return path, runner.load_error(path, error)
        self.fail("the file loaded")

    def test_load_errors_are_one_line_with_file_and_line(self):
        path, message = self.load_error("from thetabench import Strategy\nclass A(Strategy)\n    pass\n")
        self.assertEqual(message, f"{path}:2: SyntaxError: expected ':'")
        path, message = self.load_error("x = 1\nimport nonexistent_module_xyz\n")
        self.assertEqual(message, f"{path}:2: ModuleNotFoundError: No module named 'nonexistent_module_xyz'")
        path, message = self.load_error("from thetabench import Strategy\nclass A(Strategy): pass\nclass B(Strategy): pass\n")
        self.assertIn("defines 2 Strategy subclasses (A, B)", message)


if __name__ == "__main__":
    unittest.main()
