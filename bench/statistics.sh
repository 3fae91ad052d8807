#!/usr/bin/env bash
# Statistics benchmark: the analyst's statistics query (population by every dimension and one
# crossing, procedure counts, processing times, backlog) against PostgreSQL with N seeded
# individuals, open loop, p50/p95/p99 (goal: p95 <= 200 ms at 1,000,000 individuals).
#
#   bench/statistics.sh [POSTGRES_URL]
#
# Environment: N (individuals, default 1000000), REUSE=1 (keep a database that already holds
# >= N individuals), RATE (requests per second, default 20), DURATION (seconds, default 30),
# WARMUP (default 5), OUT (results folder), AMPARO_API_BIN / LOADGEN_BIN (use these binaries).
#
# Before the timed run it times the counters' first build from the tables (the follower's
# rebuild, run once per unit) by asking for the figures once.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DB_URL="${1:-${AMPARO_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1/amparo_bench_stats}}"
N="${N:-1000000}"
REUSE="${REUSE:-0}"
RATE="${RATE:-20}"
DURATION="${DURATION:-30}"
WARMUP="${WARMUP:-5}"
OUT="${OUT:-$ROOT/target-bench/statistics/$(date -u +%Y%m%dT%H%M%SZ)}"

die() { echo "statistics: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

for tool in psql curl; do
    command -v "$tool" >/dev/null || die "'$tool' is needed (psql: postgresql-client, curl: curl)"
done
[[ "$N" =~ ^[0-9]+$ ]] && (( N > 0 )) || die "N must be a positive whole number, not '$N'"
[[ "$DB_URL" == postgres://* || "$DB_URL" == postgresql://* ]] || die "not a postgres:// URL: $DB_URL"
url_base="${DB_URL%%\?*}"
DB_NAME="${url_base##*/}"
authority="${url_base#*://}"; authority="${authority%%/*}"; db_host="${authority##*@}"; db_host="${db_host%%:*}"
case "$db_host" in ""|localhost|127.*) ;; *) die "refusing database host '$db_host': this machine only" ;; esac
[[ "$DB_NAME" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "database name '$DB_NAME' must be letters, digits and _"
case "$DB_NAME" in postgres|template0|template1|test|root) die "refusing the system database '$DB_NAME'" ;; esac
ADMIN_URL="${url_base%/*}/postgres"

mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
: >"$RESULTS"
log "results in $OUT"

if [[ -z "${AMPARO_API_BIN:-}" ]]; then
    log "building amparo-api (release)"
    (cd "$ROOT" && cargo build --release -p amparo-api)
    AMPARO_API_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/amparo-api"
fi
if [[ -z "${LOADGEN_BIN:-}" ]]; then
    log "building amparo-loadgen (release)"
    cargo build --release --manifest-path "$ROOT/bench/loadgen/Cargo.toml"
    LOADGEN_BIN="${CARGO_TARGET_DIR:-$ROOT/bench/loadgen/target}/release/amparo-loadgen"
fi
export AMPARO_DATABASE_URL="$DB_URL"

existing=0
if [[ "$REUSE" == 1 ]] && psql "$DB_URL" -Atqc "select 1" >/dev/null 2>&1; then
    existing="$(psql "$DB_URL" -Atqc "select count(*) from individuals" 2>/dev/null || echo 0)"
fi
if [[ "$REUSE" == 1 ]] && (( existing >= N )); then
    log "reusing $DB_NAME: it holds $existing individuals"
    "$AMPARO_API_BIN" migrate
else
    log "recreating database $DB_NAME"
    psql "$ADMIN_URL" -v ON_ERROR_STOP=1 -qc "drop database if exists \"$DB_NAME\" with (force)"
    psql "$ADMIN_URL" -v ON_ERROR_STOP=1 -qc "create database \"$DB_NAME\""
    "$AMPARO_API_BIN" migrate
    "$AMPARO_API_BIN" seed --demo
    log "seeding $N individuals"
    seed_start=$SECONDS
    "$AMPARO_API_BIN" seed --individuals "$N"
    log "seeded in $((SECONDS - seed_start)) s"
    psql "$DB_URL" -qc "vacuum analyze" >/dev/null
fi
total="$(psql "$DB_URL" -Atqc "select count(*) from individuals")"

port=""
for _ in $(seq 1 50); do
    candidate=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port="$candidate"; break; fi
done
[[ -n "$port" ]] || die "found no free loopback port"
BASE="http://127.0.0.1:$port"
URL="$BASE/graphql"
SERVER_PID=""
stop_server() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -INT "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}
trap stop_server EXIT
AMPARO_LISTEN="127.0.0.1:$port" "$AMPARO_API_BIN" serve >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
for i in $(seq 1 120); do
    curl -fsS --max-time 2 "$BASE/healthz" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 30 "$OUT/server.log" >&2; die "the server exited"; }
    (( i == 120 )) && die "no healthy server after 60 s"
    sleep 0.5
done

AMPARO_TOKEN="$("$LOADGEN_BIN" login --url "$URL" --username analyst --password amparo-demo)"
export AMPARO_TOKEN
log "first answer (counters built from the tables, or caught up with the feed)"
first_start=$(date +%s.%N)
# A first build outlasts the server's request limit: ask again until the figures come (the
# build goes on meanwhile), for half an hour at most.
for _ in $(seq 1 30); do
    curl -fsS --max-time 3600 -H "Authorization: Bearer $AMPARO_TOKEN" -H 'Content-Type: application/json' \
        -d '{"query":"{ statistics { decisions } }"}' "$URL" >"$OUT/first.json"
    grep -q '"decisions"' "$OUT/first.json" && break
done
grep -q '"decisions"' "$OUT/first.json" || die "no figures after 30 tries: $(cat "$OUT/first.json")"
first_s=$(awk -v a="$first_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
log "first answer after $first_s s"
rows="$(psql "$DB_URL" -Atqc "select count(*) from stat_population")"

log "statistics at $RATE/s for $DURATION s"
"$LOADGEN_BIN" --url "$URL" --warmup "$WARMUP" --scenario statistics --rate "$RATE" \
    --duration "$DURATION" | tee -a "$RESULTS"
stop_server

field() { sed -nE "s/.*\"$1\":\"?([^,\"}]*).*/\1/p" <<<"$2"; }
line="$(head -n 1 "$RESULTS")"
p95="$(field p95_ms "$line")"
verdict="$(awk -v v="$p95" 'BEGIN { print (v != "" && v + 0 <= 200) ? "PASS" : "FAIL" }')"
echo
echo "Amparo statistics benchmark: $total individuals on PostgreSQL ($rows population cells), first answer $first_s s"
printf '%-10s %6s %7s %7s %6s %9s %9s %9s %9s  %s\n' scenario rate sent ok errors p50_ms p95_ms p99_ms max_ms "p95<=200"
printf '%-10s %6s %7s %7s %6s %9s %9s %9s %9s  %s\n' statistics "$(field rate "$line")" \
    "$(field sent "$line")" "$(field ok "$line")" "$(field errors "$line")" "$(field p50_ms "$line")" \
    "$p95" "$(field p99_ms "$line")" "$(field max_ms "$line")" "$verdict"
