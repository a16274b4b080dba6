"""Every order type and both times in force through the protocol; raises if
the answers or the events are not what the broker should give."""

from thetabench import Asset, Strategy


class Orders(Strategy):
    def initialize(self):
        self.sleeptime = "30M"
        self.step = 0
        self.canceled = []
        self.filled = []

    def on_canceled_order(self, order):
        self.canceled.append(order)

    def on_filled_order(self, position, order, price, quantity, multiplier):
        self.filled.append((order.order_type, price, quantity))

    def on_trading_iteration(self):
        self.step += 1
        price = self.get_last_price("SPY")
        if price is None:
            return
        if self.step == 2:
            # Far from the market: these rest. The stop-limit is GTC.
            self.resting = self.submit_order(
                self.create_order("SPY", 1, "buy", limit_price=price * 2, stop_price=price * 1.5, time_in_force="gtc")
            )
            self.limit = self.submit_order(self.create_order("SPY", 1, "buy", limit_price=round(price * 0.5, 2)))
            assert self.resting.id is not None and self.limit.id is not None
        elif self.step == 3:
            assert {o.id for o in self.get_orders()} == {self.resting.id, self.limit.id}, self.get_orders()
            assert self.cancel_order(self.resting) is True
            assert self.cancel_order(self.resting) is False, "a cancelled order is not open"
            self.submit_order(self.create_order("SPY", 2, "buy"))
        elif self.step == 4:
            assert [o.id for o in self.canceled] == [self.resting.id], self.canceled
            assert self.filled and self.filled[0][0] == "market" and self.filled[0][2] == 2, self.filled
            position = self.get_position("SPY")
            assert position.quantity == 2, position
            value = self.portfolio_value
            assert abs(value - (self.cash + 2 * price)) < 2 * price * 0.05, (value, self.cash, price)
            # A stop below the market sells on the way down, or expires at the close.
            self.submit_order(self.create_order("SPY", 2, "sell", stop_price=round(price * 0.999, 2)))
        elif self.step == 5:
            # Quote history of an option, as of now: five snapshots, in order, none ahead.
            expiration = self.get_expirations("SPY")[0]
            strikes = self.get_strikes("SPY", expiration)
            contract = Asset("SPY", "option", expiration, strikes[len(strikes) // 2], "CALL")
            quotes = self.get_historical_quotes(contract, 5)
            now = int(self.get_datetime_utc().timestamp() * 1000)
            assert len(quotes) == 5, quotes
            assert list(quotes.time) == sorted(set(quotes.time)) and quotes.time[-1] <= now, (quotes.time, now)
            assert all(q.ask >= q.bid >= 0 for q in quotes), list(quotes)
        elif self.step == 30:
            # The day limit expired at yesterday's close; the GTC one was cancelled.
            assert self.limit.status == "expired", self.limit
