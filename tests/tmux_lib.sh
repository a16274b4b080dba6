# Shared by the tmux tests: a private tmux server, a scratch cache and home,
# and bounded waits on what the screen shows. Source it after setting SOCKET
# and SESSION; it cleans up on exit.
cd "$(dirname "$0")/.."
BIN=${BIN:-target/debug/thetabench}
[[ -x "$BIN" ]] || { echo "$SOCKET: $BIN is missing; run cargo test (or cargo build) first" >&2; exit 1; }
command -v tmux >/dev/null || { echo "$SOCKET: tmux is not installed" >&2; exit 1; }

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
    echo "$SOCKET: FAILED: $1" >&2
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

# wait_gone TEXT SECONDS: polls the screen until TEXT no longer shows.
wait_gone() {
    local deadline=$((SECONDS + $2))
    while ((SECONDS < deadline)); do
        screen | grep -qF -- "$1" || return 0
        sleep 0.2
    done
    fail "waited $2 s for \"$1\" to go"
}
# start_shell: a clean bash in a 120x40 session, with the scratch cache and home.
start_shell() {
    tm new-session -d -s "$SESSION" -x 120 -y 40 "env -i PATH=$PATH TERM=xterm-256color HOME=$HOME_DIR bash --norc --noprofile"
    tm send-keys -t "$SESSION" "export THETABENCH_CACHE_DIR=$CACHE PS1='smoke\$ '" Enter
    tm send-keys -t "$SESSION" "clear" Enter
    wait_for 'smoke$' 10
}
# wait_exit SECONDS: until the program in the session has exited to the shell.
wait_exit() {
    local deadline=$((SECONDS + $1))
    until [[ "$(tm display-message -p -t "$SESSION" '#{pane_current_command}')" == bash ]]; do
        ((SECONDS < deadline)) || fail "the workbench did not exit within $1 s of q"
        sleep 0.2
    done
}
