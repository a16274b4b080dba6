#!/usr/bin/env bash
# Smoke test in a real terminal: start the workbench on the simulated terminal,
# let the demo run, visit the cache browser and the parity view, quit, and check
# the shell is back to normal and the log has no panic. Every wait is bounded.
set -euo pipefail

cd "$(dirname "$0")/.."
BIN=${BIN:-target/debug/thetabench}
SOCKET=thetabench-smoke
SESSION=smoke
[[ -x "$BIN" ]] || { echo "tmux smoke: $BIN is missing; run cargo test (or cargo build) first" >&2; exit 1; }
command -v tmux >/dev/null || { echo "tmux smoke: tmux is not installed" >&2; exit 1; }

CACHE=$(mktemp -d)
HOME_DIR=$(mktemp -d)
cleanup() {
    tmux -L "$SOCKET" kill-server 2>/dev/null || true
    rm -rf "$CACHE" "$HOME_DIR"
}
trap cleanup EXIT

tm() { tmux -L "$SOCKET" "$@"; }
screen() { tm capture-pane -t "$SESSION" -p; }
fail() {
    echo "tmux smoke: FAILED: $1" >&2
    echo "---- screen ----" >&2
    screen >&2 || true
    echo "---- log ----" >&2
    cat "$CACHE"/logs/* 2>/dev/null | tail -20 >&2 || true
    exit 1
}
# wait_for TEXT SECONDS: polls the screen until TEXT shows.
wait_for() {
    local deadline=$((SECONDS + $2))
    while ((SECONDS < deadline)); do
        screen | grep -qF -- "$1" && return 0
        sleep 0.2
    done
    fail "waited $2 s for \"$1\""
}

tm new-session -d -s "$SESSION" -x 120 -y 40 "env -i PATH=$PATH TERM=xterm-256color HOME=$HOME_DIR bash --norc --noprofile"
tm send-keys -t "$SESSION" "export THETABENCH_CACHE_DIR=$CACHE PS1='smoke\$ '" Enter
tm send-keys -t "$SESSION" "clear" Enter
wait_for 'smoke$' 10
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
tm send-keys -t "$SESSION" q
# Wait for the program to exit before typing at the shell.
deadline=$((SECONDS + 15))
until [[ "$(tm display-message -p -t "$SESSION" '#{pane_current_command}')" == bash ]]; do
    ((SECONDS < deadline)) || fail "the workbench did not exit within 15 s of q"
    sleep 0.2
done

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
