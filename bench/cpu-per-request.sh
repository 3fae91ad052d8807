#!/usr/bin/env bash
# The machine's CPU time per answered request under a fixed load: what a change saves or costs
# when latency is too noisy to show it.
#
#   bench/cpu-per-request.sh URL SCENARIO RATE [DURATION] [-- loadgen options]
#
# Logs in as the demo supervisor (each login ends that user's earlier sessions, so a token is
# taken for every run), runs `amparo-loadgen` at RATE requests/s for DURATION s (default 20)
# after a 3 s warm-up, and divides the machine's busy time over the measured run (from
# /proc/stat: everything on the machine, server, database and generator alike) by the requests
# answered. Run it on an otherwise idle machine, alternating the builds being compared
# (A B B A), and compare medians: a rate near saturation measures the ceiling, not the cost.
# LOADGEN_BIN (default: bench/loadgen's release build) and PASSWORD (default amparo-demo).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
die() { echo "cpu-per-request: $*" >&2; exit 1; }
(( $# >= 3 )) || die "usage: bench/cpu-per-request.sh URL SCENARIO RATE [DURATION] [-- loadgen options]"
URL="$1" SCENARIO="$2" RATE="$3"
shift 3
DURATION=20
if (( $# > 0 )) && [[ "$1" != "--" ]]; then DURATION="$1"; shift; fi
[[ "${1:-}" == "--" ]] && shift
[[ "$RATE" =~ ^[0-9]+$ && "$DURATION" =~ ^[0-9]+$ ]] && (( RATE > 0 && DURATION > 0 )) ||
    die "RATE and DURATION must be positive whole numbers"
LOADGEN_BIN="${LOADGEN_BIN:-${CARGO_TARGET_DIR:-$ROOT/bench/loadgen/target}/release/amparo-loadgen}"
[[ -x "$LOADGEN_BIN" ]] || die "no amparo-loadgen at $LOADGEN_BIN (cargo build --release --manifest-path bench/loadgen/Cargo.toml)"
command -v python3 >/dev/null || die "python3 reads the generator's JSON line"

token="$("$LOADGEN_BIN" login --url "$URL" --username supervisor --password "${PASSWORD:-amparo-demo}")"

# Busy jiffies (user, nice, system, irq, softirq, steal) of the whole machine.
busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
hz="$(getconf CLK_TCK)"

# The warm-up is counted in the busy time but not in the answers: take it apart by running it
# on its own first.
AMPARO_TOKEN="$token" "$LOADGEN_BIN" --url "$URL" --warmup 0 --scenario "$SCENARIO" \
    --rate "$RATE" --duration 3 "$@" >/dev/null
before="$(busy)"
line="$(AMPARO_TOKEN="$token" "$LOADGEN_BIN" --url "$URL" --warmup 0 --scenario "$SCENARIO" \
    --rate "$RATE" --duration "$DURATION" "$@" | tail -n 1)"
after="$(busy)"

LINE="$line" BUSY=$(( after - before )) HZ="$hz" python3 - <<'EOF'
import json, os
run = json.loads(os.environ["LINE"])
busy_ms = int(os.environ["BUSY"]) * 1000 / int(os.environ["HZ"])
ok = run.get("ok", 0)
per = busy_ms / ok if ok else float("nan")
print(f'{run["scenario"]} at {run["rate"]}/s: {ok} answered, {run.get("errors", 0)} errors, '
      f'p50/p95/p99 {run["p50_ms"]}/{run["p95_ms"]}/{run["p99_ms"]} ms, '
      f'machine CPU {per:.3f} ms per answered request')
EOF
