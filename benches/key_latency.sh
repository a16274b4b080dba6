#!/usr/bin/env bash
# Key-press latency while a run is in progress: in a real tmux terminal, start the
# workbench on a cold cache (so the engine is busy fetching and running), press `?`
# and time until the help overlay is on screen, then `esc` until it is gone.
# The figure includes tmux's own capture time, so it is an upper bound.
#
# `bash benches/key_latency.sh [BIN]` (default target/release/thetabench)
set -euo pipefail
BIN=${1:-target/release/thetabench}
SOCKET=thetabench-latency
CACHE=$(mktemp -d)
trap 'tmux -L $SOCKET kill-server 2>/dev/null || true; rm -rf "$CACHE"' EXIT
tm() { tmux -L "$SOCKET" "$@"; }
now_ms() { date +%s%3N; }
wait_for() { # TEXT PRESENT(1)/ABSENT(0) -> prints elapsed ms
    local start deadline
    start=$(now_ms)
    deadline=$((start + 5000))
    while (($(now_ms) < deadline)); do
        if tm capture-pane -t lat -p | grep -qF -- "$1"; then
            [[ $2 == 1 ]] && { echo $(($(now_ms) - start)); return; }
        else
            [[ $2 == 0 ]] && { echo $(($(now_ms) - start)); return; }
        fi
    done
    echo "timeout waiting for '$1'" >&2
    exit 1
}
tm new-session -d -s lat -x 200 -y 60 "env THETABENCH_CACHE_DIR=$CACHE $BIN --terminal sim"
wait_for "1 Run" 1 >/dev/null
wait_for "running" 1 >/dev/null
samples=()
for _ in $(seq 1 10); do
    tm send-keys -t lat '?'
    samples+=("$(wait_for "Keys (? or esc closes)" 1)")
    tm send-keys -t lat Escape
    wait_for "Keys (? or esc closes)" 0 >/dev/null
done
still_running=$(tm capture-pane -t lat -p | grep -c "running" || true)
printf 'key -> screen (ms): %s\n' "${samples[*]}"
printf '%s\n' "${samples[@]}" | sort -n | awk '{a[NR]=$1} END {print "median " a[int((NR+1)/2)] " ms, max " a[NR] " ms"}'
echo "run still in progress at the end: $([[ $still_running -gt 0 ]] && echo yes || echo no)"
