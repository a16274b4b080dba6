#!/usr/bin/env bash
# Smoke test in a real terminal: start the workbench on the simulated terminal,
# let the demo run, visit the cache browser and the parity view, quit, and check
# the shell is back to normal and the log has no panic; then a cold run against a
# terminal answering in 150 ms, whose progress must show within 3 s. Every wait
# is bounded.
set -euo pipefail

SOCKET=thetabench-smoke
SESSION=smoke
source "$(dirname "$0")/tmux_lib.sh"

start_shell
tm send-keys -t "$SESSION" "$BIN --terminal sim" Enter

wait_for "1 Run" 20
wait_for "simulated terminal at" 20
wait_for "session " 20
# The run advances: the equity pane gets a value.
wait_for "max drawdown" 40
# The log pane shows the cache's decisions.
wait_for "[CACHE" 20
[[ -n "${SMOKE_VERBOSE:-}" ]] && screen

tm send-keys -t "$SESSION" 2
wait_for "Datasets" 15
tm send-keys -t "$SESSION" 3
wait_for "run both stores now" 15
tm send-keys -t "$SESSION" '?'
wait_for "Keys (? or esc closes)" 5
tm send-keys -t "$SESSION" Escape
# Escape and q sent together read as alt-q: let the escape land first.
wait_gone "Keys (? or esc closes)" 5
tm send-keys -t "$SESSION" q
# Wait for the program to exit before typing at the shell.
wait_exit 15

tm send-keys -t "$SESSION" "echo restored-ok" Enter
wait_for "restored-ok" 10
# The prompt and the echo are on the main screen, in cooked mode: the command line was echoed
# as typed and its output printed on a line of its own.
screen | grep -qx "restored-ok" || fail "the shell did not echo restored-ok on its own line"
if screen | grep -q "panicked"; then
    fail "a panic was printed on exit"
fi
ls "$CACHE"/logs/thetabench.log* >/dev/null 2>&1 || fail "no log file was written under $CACHE/logs"
if grep -rqs "panicked" "$CACHE/logs"; then
    fail "the log has a panic"
fi
# A cold run against a slow terminal: the status line names the fetch and the
# cache pane counts requests while the first session's data is still coming.
SLOW_LOG=$(mktemp)
"$BIN" terminal --port 0 --latency-ms 150 >"$SLOW_LOG" 2>&1 &
SLOW_PID=$!
trap 'kill $SLOW_PID 2>/dev/null || true; cleanup' EXIT
deadline=$((SECONDS + 10))
until SLOW_URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$SLOW_LOG"); do
    ((SECONDS < deadline)) || fail "the slow terminal did not start"
    sleep 0.1
done
COLD=$(mktemp -d)
tm send-keys -t "$SESSION" "clear; THETABENCH_CACHE_DIR=$COLD $BIN --terminal $SLOW_URL" Enter
wait_for "fetching " 3
deadline=$((SECONDS + 3))
until screen | grep -Eq 'requests [1-9]'; do
    ((SECONDS < deadline)) || fail "the cache counters did not move within 3 s of the fetch"
    sleep 0.2
done
tm send-keys -t "$SESSION" q
wait_exit 15
rm -rf "$COLD" "$SLOW_LOG"
echo "tmux smoke: ok"
