#!/usr/bin/env bash
# Terminal bytes per action for the `amparo` client at 80x24, against a demo server: search and
# registration, then an officer's My work and case, then a supervisor's view.
#
# The client runs under `script` (which records every byte it writes to the terminal) inside a
# detached 80x24 tmux session; keys are sent with `tmux send-keys`, and after each action the
# script waits until the output has been still for a second and reports how much was written.
# Needs tmux, script (util-linux) and curl. IDLE sets the idle period in seconds (default 60).
#
#   tui/bench/bytes.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
port=${AMPARO_BENCH_PORT:-18491}
idle=${IDLE:-60}
session="amparo-bytes-$$"
work=$(mktemp -d)

(cd "$root" && cargo build -q -p amparo -p amparo-api)

AMPARO_LISTEN="127.0.0.1:$port" AMPARO_DATABASE_URL="sqlite://$work/amparo.db" \
    "$target/debug/amparo-api" serve --demo >"$work/server.log" 2>&1 &
server=$!
cleanup() {
    tmux kill-session -t "$session" 2>/dev/null || true
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

for _ in $(seq 1 240); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break
    sleep 0.5
done
curl -fs "http://127.0.0.1:$port/healthz" >/dev/null || {
    echo "the demo server did not start; its log:" >&2
    cat "$work/server.log" >&2
    exit 1
}

size() { stat -c %s "$work/ts" 2>/dev/null || echo 0; }
settle() {
    local before=-1
    while [ "$(size)" != "$before" ]; do
        before=$(size)
        sleep 1
    done
}
measure() {
    local label=$1
    shift
    local before
    before=$(size)
    tmux send-keys -t "$session" "$@"
    settle
    printf '%-44s %6d B\n' "$label" $(($(size) - before))
}

tmux new-session -d -s "$session" -x 80 -y 24 \
    "LANG=en_US.UTF-8 script -q -f $work/ts -c '$target/debug/amparo --server http://127.0.0.1:$port'"
settle
printf '%-44s %6d B\n' "first full screen (login)" "$(size)"
measure "typed character (username)" r
tmux send-keys -t "$session" egistrar Tab
settle
measure "typed character (password, never echoed)" a
tmux send-keys -t "$session" BSpace amparo-demo
settle
measure "log in (Enter; screen change to search)" Enter
measure "typed character (search)" g
tmux send-keys -t "$session" arcia
settle
measure "search (Enter; a page of results)" Enter
measure "navigation key (Down in results)" Down
measure "open an individual (Enter)" Enter
measure "back to results (Esc)" Escape
measure "registration screen (F3)" F3
measure "typed character (registration form)" M
measure "navigation key (Tab to next field)" Tab
before=$(size)
sleep "$idle"
printf '%-44s %6d B\n' "idle ${idle} s" $(($(size) - before))
tmux kill-session -t "$session"

# Case work: an officer's My work and a case, then a supervisor's view; both keep the live
# link open, so their idle periods include it.
session="$session-officer"
rm -f "$work/ts"
tmux new-session -d -s "$session" -x 80 -y 24 \
    "LANG=en_US.UTF-8 script -q -f $work/ts -c '$target/debug/amparo --server http://127.0.0.1:$port'"
settle
tmux send-keys -t "$session" officer Tab amparo-demo
settle
measure "log in as officer (My work)" Enter
measure "next case (Down in My work)" Down
measure "filter: priority only (!)" '!'
measure "filter off again (!)" '!'
measure "open a case (Enter)" Enter
measure "keys of the case (?)" '?'
measure "close the help (any key)" Escape
measure "open the contact form (c)" c
measure "cancel the form (Esc)" Escape
measure "back to My work (Esc)" Escape
before=$(size)
sleep "$idle"
printf '%-44s %6d B\n' "idle ${idle} s, live link up" $(($(size) - before))
tmux kill-session -t "$session"

session="$session-supervisor"
rm -f "$work/ts"
tmux new-session -d -s "$session" -x 80 -y 24 \
    "LANG=en_US.UTF-8 script -q -f $work/ts -c '$target/debug/amparo --server http://127.0.0.1:$port'"
settle
tmux send-keys -t "$session" supervisor Tab amparo-demo
settle
measure "log in as supervisor (summary and list)" Enter
measure "another list (2: abandonment)" 2
measure "choose a case (Space)" Space
measure "reassign form (a)" a
measure "cancel (Esc)" Escape
before=$(size)
sleep "$idle"
printf '%-44s %6d B\n' "idle ${idle} s, live link up" $(($(size) - before))
