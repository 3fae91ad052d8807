#!/usr/bin/env bash
# Restarts two server processes one at a time behind HAProxy under a steady load, and counts the
# requests that failed: the README's "several server processes" procedure, checked.
#
#   bench/rolling-restart.sh [POSTGRES_URL]     # default postgres://postgres@127.0.0.1/amparo_rolling
#
# Environment: RATE (pages of 50 per second, default 50), DURATION (seconds of load, default 40),
# N (individuals seeded, default 5000), DRAIN (AMPARO_SHUTDOWN_DRAIN_SECONDS, default 3),
# AMPARO_API_BIN / LOADGEN_BIN (use these binaries instead of building in release mode),
# OUT (results folder). Needs PostgreSQL on this machine, psql, curl and haproxy.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DB_URL="${1:-postgres://postgres@127.0.0.1/amparo_rolling}"
RATE="${RATE:-50}"
DURATION="${DURATION:-40}"
N="${N:-5000}"
DRAIN="${DRAIN:-3}"
OUT="${OUT:-$ROOT/target-bench/rolling-restart/$(date -u +%Y%m%dT%H%M%SZ)}"

die() { echo "rolling-restart: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }
for tool in psql curl haproxy; do
    command -v "$tool" >/dev/null || die "'$tool' is needed"
done
for v in RATE DURATION N DRAIN; do
    [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a whole number"
done
DB_NAME="${DB_URL##*/}"
[[ "$DB_NAME" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "database name '$DB_NAME' must be letters, digits and _"
case "$DB_NAME" in postgres|template0|template1) die "refusing to drop '$DB_NAME'" ;; esac
case "$DB_URL" in postgres://*@127.0.0.1/*|postgres://*@localhost/*|postgres://127.0.0.1/*|postgres://localhost/*) ;;
    *) die "the benchmark runs against this machine's PostgreSQL only" ;; esac
ADMIN_URL="${DB_URL%/*}/postgres"
mkdir -p "$OUT"

if [[ -z "${AMPARO_API_BIN:-}" ]]; then
    (cd "$ROOT" && cargo build --release -p amparo-api)
    AMPARO_API_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/amparo-api"
fi
if [[ -z "${LOADGEN_BIN:-}" ]]; then
    cargo build --release --manifest-path "$ROOT/bench/loadgen/Cargo.toml"
    LOADGEN_BIN="${CARGO_TARGET_DIR:-$ROOT/bench/loadgen/target}/release/amparo-loadgen"
fi
export AMPARO_DATABASE_URL="$DB_URL" AMPARO_POOL_SIZE=8 AMPARO_SHUTDOWN_DRAIN_SECONDS="$DRAIN"
export AMPARO_AUDIT_KEY_FILE="$OUT/audit.key"
"$AMPARO_API_BIN" audit new-key --out "$AMPARO_AUDIT_KEY_FILE" >/dev/null

log "recreating $DB_NAME with the demo world and $N individuals"
psql "$ADMIN_URL" -v ON_ERROR_STOP=1 -qc "drop database if exists \"$DB_NAME\" with (force)"
psql "$ADMIN_URL" -v ON_ERROR_STOP=1 -qc "create database \"$DB_NAME\""
"$AMPARO_API_BIN" migrate
"$AMPARO_API_BIN" seed --demo >/dev/null
"$AMPARO_API_BIN" seed --individuals "$N" >/dev/null

free_port() {
    local c
    for _ in $(seq 1 50); do
        c=$((20000 + RANDOM % 20000))
        (exec 3<>"/dev/tcp/127.0.0.1/$c") 2>/dev/null || { echo "$c"; return; }
    done
    die "no free loopback port"
}
FRONT="$(free_port)"; P1="$(free_port)"; P2="$(free_port)"
declare -A PID
start() {
    AMPARO_LISTEN="127.0.0.1:$2" "$AMPARO_API_BIN" serve >>"$OUT/server-$1.log" 2>&1 &
    PID[$1]=$!
    for _ in $(seq 1 120); do
        curl -fsS --max-time 2 "http://127.0.0.1:$2/healthz" >/dev/null 2>&1 && return
        sleep 0.25
    done
    die "server $1 did not come up"
}
cleanup() {
    for p in "${PID[@]}" ${PROXY:-}; do kill -INT "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

start 1 "$P1"
start 2 "$P2"
cat >"$OUT/haproxy.cfg" <<CFG
global
    maxconn 2000
defaults
    mode http
    timeout connect 2s
    timeout client 70s
    timeout server 70s
    option redispatch
    retries 3
    retry-on conn-failure empty-response
frontend amparo
    bind 127.0.0.1:$FRONT
    default_backend amparo
backend amparo
    balance leastconn
    option httpchk GET /healthz
    http-check expect status 200
    default-server inter 1s fall 1 rise 2
    server s1 127.0.0.1:$P1 check
    server s2 127.0.0.1:$P2 check
CFG
haproxy -f "$OUT/haproxy.cfg" -db >"$OUT/haproxy.log" 2>&1 &
PROXY=$!
URL="http://127.0.0.1:$FRONT/graphql"
for _ in $(seq 1 40); do curl -fsS --max-time 2 "http://127.0.0.1:$FRONT/healthz" >/dev/null 2>&1 && break; sleep 0.25; done
AMPARO_TOKEN="$("$LOADGEN_BIN" login --url "$URL" --username supervisor --password amparo-demo)"
export AMPARO_TOKEN

log "pages at $RATE/s for $DURATION s through HAProxy; restarting the servers one at a time"
"$LOADGEN_BIN" --url "$URL" --scenario page --rate "$RATE" --duration "$DURATION" --warmup 1 >"$OUT/load.json" &
LOAD=$!
sleep 5
for n in 1 2; do
    port="$P1"; [[ "$n" == 2 ]] && port="$P2"
    log "restarting server $n (SIGTERM, drain $DRAIN s)"
    kill -TERM "${PID[$n]}"
    wait "${PID[$n]}" 2>/dev/null || true
    start "$n" "$port"
    sleep 4   # HAProxy marks it up after two good checks, a second apart
done
wait "$LOAD" || true
cat "$OUT/load.json"
field() { sed -nE "s/.*\"$1\":\"?([^,\"}]*).*/\1/p" "$OUT/load.json" | tail -n 1; }
echo "rolling restart of 2 processes under $RATE pages/s: sent $(field sent), ok $(field ok), errors $(field errors) (results in $OUT)"
