#!/usr/bin/env bash
# Server benchmark: PostgreSQL with N seeded individuals, open-loop load on the GraphQL API.
#
#   bench/server-load.sh [POSTGRES_URL]
#
# (Re)creates the database, migrates and seeds it, starts `amparo-api serve` on a free loopback
# port, runs the read, page and search scenarios at a fixed rate and the page throughput search,
# prints a summary table and stops the server. See bench/README.md.
#
# Environment: N (individuals, default 1000000), REUSE=1 (keep a database that already holds >= N
# individuals), RATE (default 200), QUEUE_RATE (My work, default 20), SUMMARY_RATE (the
# supervisor's case summary of the whole unit, default 5),
# DURATION (seconds per run, default 30), WARMUP (default 5), PROCESSES (server processes, default
# 1; with 2 they run behind HAProxy, which must be installed, each with half the pool),
# FIND_MAX_DURATION (seconds per --find-max step, default DURATION), FIND_MAX_STEP (default 100),
# OUT (results folder), AMPARO_API_BIN / LOADGEN_BIN (use these binaries instead of building).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DB_URL="${1:-${AMPARO_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1/amparo_bench}}"
N="${N:-1000000}"
REUSE="${REUSE:-0}"
RATE="${RATE:-200}"
QUEUE_RATE="${QUEUE_RATE:-20}"
SUMMARY_RATE="${SUMMARY_RATE:-5}"
DURATION="${DURATION:-30}"
WARMUP="${WARMUP:-5}"
FIND_MAX_DURATION="${FIND_MAX_DURATION:-$DURATION}"
FIND_MAX_STEP="${FIND_MAX_STEP:-100}"
OUT="${OUT:-$ROOT/target-bench/server-load/$(date -u +%Y%m%dT%H%M%SZ)}"
PROCESSES="${PROCESSES:-1}"
[[ "$PROCESSES" =~ ^[1-9]$ ]] || { echo "server-load: PROCESSES must be 1 to 9" >&2; exit 1; }
(( PROCESSES == 1 )) || command -v haproxy >/dev/null || { echo "server-load: PROCESSES > 1 needs haproxy (apt-get install haproxy)" >&2; exit 1; }

die() { echo "server-load: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

for tool in psql curl; do
    command -v "$tool" >/dev/null || die "'$tool' is needed (psql: postgresql-client, curl: curl)"
done
[[ "$N" =~ ^[0-9]+$ ]] && (( N > 0 )) || die "N must be a positive whole number, not '$N'"

# --- The database URL: only a local server, and never a system database ---------------------------
[[ "$DB_URL" == postgres://* || "$DB_URL" == postgresql://* ]] || die "not a postgres:// URL: $DB_URL"
url_base="${DB_URL%%\?*}"
url_query=""
[[ "$DB_URL" == *\?* ]] && url_query="?${DB_URL#*\?}"
DB_NAME="${url_base##*/}"
authority="${url_base#*://}"
authority="${authority%%/*}"
db_host="${authority##*@}"
if [[ "$db_host" == \[* ]]; then db_host="${db_host%%]*}]"; else db_host="${db_host%%:*}"; fi
case "$db_host" in
    ""|localhost|127.*|"[::1]") ;;
    *) die "refusing database host '$db_host': the benchmark runs against this machine only" ;;
esac
[[ "$DB_NAME" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "database name '$DB_NAME' must be letters, digits and _"
case "$DB_NAME" in
    postgres|template0|template1|test|root) die "refusing to drop the system database '$DB_NAME'" ;;
esac
ADMIN_URL="${url_base%/*}/postgres${url_query}"

mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
: >"$RESULTS"
log "results in $OUT"

# --- Binaries ---------------------------------------------------------------------------------------
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
[[ -x "$AMPARO_API_BIN" ]] || die "no amparo-api binary at $AMPARO_API_BIN"
[[ -x "$LOADGEN_BIN" ]] || die "no amparo-loadgen binary at $LOADGEN_BIN"

export AMPARO_DATABASE_URL="$DB_URL"

# --- Database: reuse when asked and big enough, else recreate and seed ------------------------------
existing=0
if [[ "$REUSE" == 1 ]] && psql "$DB_URL" -Atqc "select 1" >/dev/null 2>&1; then
    existing="$(psql "$DB_URL" -Atqc "select count(*) from individuals" 2>/dev/null || echo 0)"
fi
if [[ "$REUSE" == 1 ]] && (( existing >= N )); then
    log "reusing $DB_NAME: it holds $existing individuals (>= $N)"
    "$AMPARO_API_BIN" migrate
else
    log "recreating database $DB_NAME"
    psql "$ADMIN_URL" -v ON_ERROR_STOP=1 -qc "drop database if exists \"$DB_NAME\" with (force)"
    psql "$ADMIN_URL" -v ON_ERROR_STOP=1 -qc "create database \"$DB_NAME\""
    "$AMPARO_API_BIN" migrate
    log "seeding the demo world"
    "$AMPARO_API_BIN" seed --demo
    log "seeding $N individuals"
    seed_start=$SECONDS
    "$AMPARO_API_BIN" seed --individuals "$N"
    log "seeded $N individuals in $((SECONDS - seed_start)) s"
    psql "$DB_URL" -qc "vacuum analyze" >/dev/null
fi
total="$(psql "$DB_URL" -Atqc "select count(*) from individuals")"
log "database holds $total individuals"

# --- Servers on free loopback ports (behind HAProxy when PROCESSES > 1) -----------------------------
free_port() {
    local candidate
    for _ in $(seq 1 50); do
        candidate=$((20000 + RANDOM % 20000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
            echo "$candidate"
            return
        fi
    done
    die "found no free loopback port"
}
port="$(free_port)"
BASE="http://127.0.0.1:$port"
URL="$BASE/graphql"

SERVER_PIDS=()
PROXY_PID=""
stop_server() {
    local pid
    for pid in "${SERVER_PIDS[@]}" $PROXY_PID; do
        kill -INT "$pid" 2>/dev/null || true
    done
    for pid in "${SERVER_PIDS[@]}" $PROXY_PID; do
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    SERVER_PIDS=()
    PROXY_PID=""
}
trap stop_server EXIT
trap 'exit 130' INT TERM

wait_healthy() {
    local base="$1" pid="$2" log="$3"
    for i in $(seq 1 120); do
        curl -fsS --max-time 2 "$base/healthz" >/dev/null 2>&1 && return
        kill -0 "$pid" 2>/dev/null || { tail -n 30 "$log" >&2; die "the server exited"; }
        (( i == 120 )) && { tail -n 30 "$log" >&2; die "no healthy server after 60 s"; }
        sleep 0.5
    done
}

if (( PROCESSES == 1 )); then
    log "starting amparo-api serve on $BASE"
    AMPARO_LISTEN="127.0.0.1:$port" "$AMPARO_API_BIN" serve >"$OUT/server.log" 2>&1 &
    SERVER_PIDS+=($!)
    wait_healthy "$BASE" "${SERVER_PIDS[0]}" "$OUT/server.log"
else
    pool=$(( ${AMPARO_POOL_SIZE:-16} / PROCESSES ))
    (( pool >= 2 )) || pool=2
    backends=""
    for n in $(seq 1 "$PROCESSES"); do
        p="$(free_port)"
        log "starting amparo-api serve $n of $PROCESSES on 127.0.0.1:$p (pool $pool)"
        AMPARO_POOL_SIZE="$pool" AMPARO_LISTEN="127.0.0.1:$p" "$AMPARO_API_BIN" serve >"$OUT/server-$n.log" 2>&1 &
        SERVER_PIDS+=($!)
        wait_healthy "http://127.0.0.1:$p" "$!" "$OUT/server-$n.log"
        backends+="    server s$n 127.0.0.1:$p check"$'\n'
    done
    cat >"$OUT/haproxy.cfg" <<CFG
global
    maxconn 4000
defaults
    mode http
    timeout connect 2s
    timeout client 70s
    timeout server 70s
    option redispatch
    retries 3
    retry-on conn-failure empty-response
frontend amparo
    bind 127.0.0.1:$port
    default_backend amparo
backend amparo
    balance leastconn
    option httpchk GET /healthz
    http-check expect status 200
    default-server inter 1s fall 1 rise 2
$backends
CFG
    log "starting haproxy on $BASE in front of $PROCESSES processes"
    haproxy -f "$OUT/haproxy.cfg" -db >"$OUT/haproxy.log" 2>&1 &
    PROXY_PID=$!
    for i in $(seq 1 60); do
        curl -fsS --max-time 2 "$BASE/healthz" >/dev/null 2>&1 && break
        (( i == 60 )) && { tail -n 30 "$OUT/haproxy.log" >&2; die "haproxy did not come up"; }
        sleep 0.5
    done
fi

AMPARO_TOKEN="$("$LOADGEN_BIN" login --url "$URL" --username supervisor --password amparo-demo)"
export AMPARO_TOKEN

# Only people of the benchmark user's own unit: others are invisible to it by design (NOT_FOUND).
psql "$DB_URL" -Atqc "select id from individuals where operation_unit_id =
    (select operation_unit_id from users where username = 'supervisor')
    order by random() limit 10000" >"$OUT/ids.txt"
[[ -s "$OUT/ids.txt" ]] || die "exported no individual ids"

# --- Runs ---------------------------------------------------------------------------------------------
# The figures only mean something on an otherwise idle machine: keep the load average beside them.
load_before="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
loadgen() { "$LOADGEN_BIN" --url "$URL" --warmup "$WARMUP" "$@" | tee -a "$RESULTS"; }

log "read at $RATE/s for $DURATION s"
loadgen --scenario read --ids-file "$OUT/ids.txt" --rate "$RATE" --duration "$DURATION"
log "page at $RATE/s for $DURATION s"
loadgen --scenario page --rate "$RATE" --duration "$DURATION"
log "search at $RATE/s for $DURATION s"
loadgen --scenario search --rate "$RATE" --duration "$DURATION"
log "page throughput: steps of $FIND_MAX_STEP/s, $FIND_MAX_DURATION s each, until p99 > 150 ms or errors > 1 %"
loadgen --scenario page --find-max --step "$FIND_MAX_STEP" --duration "$FIND_MAX_DURATION" \
    --p99-limit-ms 150 --error-limit-pct 1

# Case queues, as the RSD procedure's users read them: an officer's My work page (the demo
# officer holds a share of Quito's cases) and the supervisor's summary of the whole unit.
OFFICER_TOKEN="$("$LOADGEN_BIN" login --url "$URL" --username officer --password amparo-demo)"
log "my work at $QUEUE_RATE/s for $DURATION s (officer)"
AMPARO_TOKEN="$OFFICER_TOKEN" loadgen --scenario mywork --rate "$QUEUE_RATE" --duration "$DURATION"
log "case summary at $SUMMARY_RATE/s for $DURATION s (supervisor)"
loadgen --scenario summary --rate "$SUMMARY_RATE" --duration "$DURATION"

load_after="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
stop_server

# --- Summary ---------------------------------------------------------------------------------------
# The generator prints flat JSON objects, so a field is the text between its key and the next , or }.
field() { sed -nE "s/.*\"$1\":\"?([^,\"}]*).*/\1/p" <<<"$2"; }
at_most() { awk -v v="$1" -v l="$2" 'BEGIN { print (v != "" && v + 0 <= l + 0) ? "PASS" : "FAIL" }'; }
at_least() { awk -v v="$1" -v l="$2" 'BEGIN { print (v != "" && v + 0 >= l + 0) ? "PASS" : "FAIL" }'; }

mapfile -t runs < <(head -n 3 "$RESULTS")
echo
echo "Amparo server benchmark: $total individuals on PostgreSQL, $PROCESSES server process(es), open loop, $DURATION s per run after $WARMUP s warm-up"
printf '%-8s %6s %7s %7s %6s %9s %9s %9s %9s %9s %8s  %-18s %s\n' \
    scenario rate sent ok errors p50_ms p90_ms p95_ms p99_ms max_ms lag_ms target result
targets=("p99_ms 5" "p99_ms 20" "p99_ms 50")
for i in 0 1 2; do
    line="${runs[$i]:-}"
    read -r metric limit <<<"${targets[$i]}"
    value="$(field "$metric" "$line")"
    errors="$(field errors "$line")"
    result="$(at_most "$value" "$limit")"
    [[ "${errors:-1}" == 0 ]] || result="FAIL (errors)"
    printf '%-8s %6s %7s %7s %6s %9s %9s %9s %9s %9s %8s  %-18s %s\n' \
        "$(field scenario "$line")" "$(field rate "$line")" "$(field sent "$line")" \
        "$(field ok "$line")" "$errors" "$(field p50_ms "$line")" "$(field p90_ms "$line")" \
        "$(field p95_ms "$line")" "$(field p99_ms "$line")" "$(field max_ms "$line")" \
        "$(field send_lag_max_ms "$line")" \
        "${metric%_ms} <= $limit ms" "$result"
done
for scenario in mywork summary; do
    line="$(grep "\"scenario\":\"$scenario\"" "$RESULTS" | tail -n 1)"
    [[ -n "$line" ]] || continue
    if [[ "$scenario" == mywork ]]; then limit=50; else limit=200; fi
    value="$(field p95_ms "$line")"
    errors="$(field errors "$line")"
    result="$(at_most "$value" "$limit")"
    [[ "${errors:-1}" == 0 ]] || result="FAIL (errors)"
    printf '%-8s %6s %7s %7s %6s %9s %9s %9s %9s %9s %8s  %-18s %s\n' \
        "$scenario" "$(field rate "$line")" "$(field sent "$line")" \
        "$(field ok "$line")" "$errors" "$(field p50_ms "$line")" "$(field p90_ms "$line")" \
        "$value" "$(field p99_ms "$line")" "$(field max_ms "$line")" \
        "$(field send_lag_max_ms "$line")" "p95 <= $limit ms" "$result"
done
summary="$(grep '"find_max":true' "$RESULTS" | tail -n 1)"
best="$(field max_passing_rate "$summary")"
[[ "$best" =~ ^[0-9]+$ ]] || best=""
echo
if [[ -n "$best" ]]; then
    echo "page throughput: highest rate with p99 <= 150 ms and errors <= 1 %: $best/s" \
        "(achieved $(field max_passing_throughput_rps "$summary") good answers/s; stopped: $(field stopped_because "$summary"))"
else
    echo "page throughput: no rate passed (stopped: $(field stopped_because "$summary"))"
fi
echo "goal >= 1000/s: $(at_least "$best" 1000)"
echo "lag_ms: the generator's own worst delay behind its schedule (near 0 on a quiet machine)"
echo "load average (1, 5, 15 min) before the runs: $load_before; after: $load_after"
echo "all runs: $RESULTS"
