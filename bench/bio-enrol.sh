#!/usr/bin/env bash
# Biometric enrolment benchmark: enrolBiometrics with 1:N deduplication against a gallery of
# GALLERY synthetic people (ten fingers and two irises each), p95 end to end over HTTP.
#
#   bench/bio-enrol.sh [POSTGRES_URL]
#
# (Re)creates the database, migrates, seeds the demo world and GALLERY synthetic biometric people
# (templates generated directly, stored as origin 'synthetic': see api/src/biometric/synthetic.rs),
# starts `amparo-api serve` with a biometric key on a free loopback port, and runs
# `amparo-bio-bench`: one enrolment at a time, each a new individual with ten fingers and two
# irises rendered from new synthetic seeds into real ISO 19794-4/-6 records, so every request pays
# the whole path: upload, decode, extraction, gallery search, exact comparison, sealing, commit.
#
# Environment: GALLERY (default 100000), REUSE=1 (keep a database that already holds >= GALLERY
# synthetic people), REQUESTS (default 50), MAX_SECONDS (bench run bound, default 300),
# OUT (results folder), AMPARO_API_BIN / BIO_BENCH_BIN (use these binaries instead of building).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DB_URL="${1:-${AMPARO_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1/amparo_bio_bench}}"
GALLERY="${GALLERY:-100000}"
REUSE="${REUSE:-0}"
REQUESTS="${REQUESTS:-50}"
MAX_SECONDS="${MAX_SECONDS:-300}"
OUT="${OUT:-$ROOT/target-bench/bio-enrol/$(date -u +%Y%m%dT%H%M%SZ)}"

die() { echo "bio-enrol: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

for tool in psql curl; do
    command -v "$tool" >/dev/null || die "'$tool' is needed (psql: postgresql-client, curl: curl)"
done
[[ "$GALLERY" =~ ^[0-9]+$ ]] || die "GALLERY must be a whole number, not '$GALLERY'"
[[ "$REQUESTS" =~ ^[0-9]+$ ]] && (( REQUESTS > 0 )) || die "REQUESTS must be a positive whole number"

# Only a local server, and never a system database (as bench/server-load.sh).
[[ "$DB_URL" == postgres://* || "$DB_URL" == postgresql://* ]] || die "not a postgres:// URL: $DB_URL"
url_base="${DB_URL%%\?*}"
DB_NAME="${url_base##*/}"
authority="${url_base#*://}"
authority="${authority%%/*}"
db_host="${authority##*@}"
db_host="${db_host%%:*}"
case "$db_host" in
    ""|localhost|127.*) ;;
    *) die "refusing database host '$db_host': the benchmark runs against this machine only" ;;
esac
[[ "$DB_NAME" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "database name '$DB_NAME' must be letters, digits and _"
case "$DB_NAME" in
    postgres|template0|template1|test|root) die "refusing to drop the system database '$DB_NAME'" ;;
esac
ADMIN_URL="${url_base%/*}/postgres"

mkdir -p "$OUT"
log "results in $OUT"

if [[ -z "${AMPARO_API_BIN:-}" || -z "${BIO_BENCH_BIN:-}" ]]; then
    log "building amparo-api and amparo-bio-bench (release)"
    (cd "$ROOT" && cargo build --release -p amparo-api -p amparo-tests --bin amparo-api --bin amparo-bio-bench)
    AMPARO_API_BIN="${AMPARO_API_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/amparo-api}"
    BIO_BENCH_BIN="${BIO_BENCH_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/amparo-bio-bench}"
fi
[[ -x "$AMPARO_API_BIN" ]] || die "no amparo-api binary at $AMPARO_API_BIN"
[[ -x "$BIO_BENCH_BIN" ]] || die "no amparo-bio-bench binary at $BIO_BENCH_BIN"

export AMPARO_DATABASE_URL="$DB_URL"
# The key lives beside the database it seals; a reused database keeps its key.
KEY_DIR="$ROOT/target-bench/bio-enrol"
export AMPARO_BIOMETRIC_KEY_FILE="$KEY_DIR/$DB_NAME.key"

existing=0
if [[ "$REUSE" == 1 ]] && [[ -f "$AMPARO_BIOMETRIC_KEY_FILE" ]] && psql "$DB_URL" -Atqc "select 1" >/dev/null 2>&1; then
    existing="$(psql "$DB_URL" -Atqc "select count(distinct reference_id) from biometric_samples where origin = 'synthetic'" 2>/dev/null || echo 0)"
fi
if [[ "$REUSE" == 1 ]] && (( existing >= GALLERY )); then
    log "reusing $DB_NAME: it holds $existing synthetic people (>= $GALLERY)"
    "$AMPARO_API_BIN" migrate
else
    log "recreating database $DB_NAME"
    psql "$ADMIN_URL" -v ON_ERROR_STOP=1 -qc "drop database if exists \"$DB_NAME\" with (force)"
    psql "$ADMIN_URL" -v ON_ERROR_STOP=1 -qc "create database \"$DB_NAME\""
    rm -f "$AMPARO_BIOMETRIC_KEY_FILE"
    mkdir -p "$KEY_DIR"
    head -c 32 /dev/urandom >"$AMPARO_BIOMETRIC_KEY_FILE"
    chmod 600 "$AMPARO_BIOMETRIC_KEY_FILE"
    "$AMPARO_API_BIN" migrate
    log "seeding the demo world"
    "$AMPARO_API_BIN" seed --demo >/dev/null
    log "seeding $GALLERY synthetic biometric people"
    seed_start=$SECONDS
    (( GALLERY == 0 )) || "$AMPARO_API_BIN" seed --biometric-gallery "$GALLERY"
    log "seeded in $((SECONDS - seed_start)) s"
    psql "$DB_URL" -qc "vacuum analyze" >/dev/null
fi

port=""
for _ in $(seq 1 50); do
    candidate=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
        port="$candidate"
        break
    fi
done
[[ -n "$port" ]] || die "found no free loopback port"
BASE="http://127.0.0.1:$port"

SERVER_PID=""
stop_server() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -INT "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}
trap stop_server EXIT
trap 'exit 130' INT TERM

# The bench's capture device, which the server trusts as it would an office's scanner.
DEVICE_DIR="$KEY_DIR/device"
"$BIO_BENCH_BIN" --device-dir "$DEVICE_DIR" --prepare-device

log "starting amparo-api serve on $BASE (loading the gallery)"
load_start=$SECONDS
AMPARO_LISTEN="127.0.0.1:$port" AMPARO_TRUSTED_DEVICES="$DEVICE_DIR/device.pem" \
    "$AMPARO_API_BIN" serve >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
for i in $(seq 1 1200); do
    curl -fsS --max-time 2 "$BASE/healthz" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 30 "$OUT/server.log" >&2; die "the server exited"; }
    (( i == 1200 )) && { tail -n 30 "$OUT/server.log" >&2; die "no healthy server after 10 min"; }
    sleep 0.5
done
log "server ready after $((SECONDS - load_start)) s"

load_before="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
log "enrolling up to $REQUESTS people (at most $MAX_SECONDS s)"
"$BIO_BENCH_BIN" --url "$BASE/graphql" --device-dir "$DEVICE_DIR" --requests "$REQUESTS" \
    --max-seconds "$MAX_SECONDS" \
    | tee "$OUT/results.jsonl"
load_after="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
stop_server

echo
echo "Amparo biometric enrolment: gallery of $GALLERY synthetic people (+ earlier runs' enrolments) on PostgreSQL"
echo "load average before $load_before, after $load_after; result line above and in $OUT/results.jsonl"
