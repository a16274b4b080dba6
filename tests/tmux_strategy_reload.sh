#!/usr/bin/env bash
# A strategy file edited while the workbench is open: the header says so, `r`
# runs the new code, and `p` compares the new run with the previous one.
# Every wait is bounded.
set -euo pipefail

SOCKET=thetabench-reload
SESSION=reload
source "$(dirname "$0")/tmux_lib.sh"

WORK=$(mktemp -d)
trap 'cleanup; rm -rf "$WORK"' EXIT
cat > "$WORK/buyer.py" <<'PY'
from thetabench import Strategy


class Buyer(Strategy):
    name = "buyer"

    def initialize(self):
        self.sleeptime = "1D"

    def on_trading_iteration(self):
        if not self.get_positions() and not self.get_orders():
            self.submit_order(self.create_order("SPY", 10, "buy"))
PY
cat > "$WORK/run.toml" <<TOML
strategy = "$WORK/buyer.py"
start = "2025-06-02"
end = "2025-06-13"
cash = 100000
TOML

start_shell
tm send-keys -t "$SESSION" "$BIN --terminal sim tui --run $WORK/run.toml" Enter
wait_for "■ finished" 60
first=$(screen | grep -o 'Equity [0-9.]*' | head -1)
[[ -n "$first" ]] || fail "no equity value after the first run"

# Edit the strategy: twice the shares. The file's time stamp must move on
# filesystems with one-second stamps.
sleep 1.1
sed -i 's/"SPY", 10, "buy"/"SPY", 20, "buy"/' "$WORK/buyer.py"
wait_for "buyer.py changed: r runs the new code" 10

tm send-keys -t "$SESSION" r
# A warm rerun can finish between two looks at the screen: wait for a finished
# run whose equity differs from the first one's.
deadline=$((SECONDS + 60))
second=$first
until [[ "$second" != "$first" ]]; do
    ((SECONDS < deadline)) || fail "the rerun did not give a new result within 60 s (still $first): the edit was not run"
    sleep 0.2
    screen | grep -qF "■ finished" || continue
    second=$(screen | grep -o 'Equity [0-9.]*' | head -1)
done
screen | grep -qF "changed: r runs the new code" && fail "the notice outlived the rerun"

# One key compares this run with the previous one: they part at the first fill.
tm send-keys -t "$SESSION" p
wait_for "3 Parity" 5
wait_for "first divergence: trade row 1" 60
# The verdict wraps on this width: the values are on its second line.
wait_for "is 10 in A, 20 in B" 5
tm send-keys -t "$SESSION" q
wait_exit 15
echo "tmux strategy reload: ok ($first -> $second)"
