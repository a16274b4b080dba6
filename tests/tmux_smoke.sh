#!/usr/bin/env bash
# Smoke test in a real terminal: start the workbench on the simulated terminal,
# let the demo run, visit the cache browser and the parity view, quit, and check
# the shell is back to normal and the log has no panic. Every wait is bounded.
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
echo "tmux smoke: ok"
