#!/usr/bin/env bash
# Import benchmark: PEOPLE source people (a registration system's export with households, cases,
# needs and documents, from `amparo-api import sample`) imported into PostgreSQL already holding
# BASE individuals (the scale seed), with deduplication on: rows per second and total time.
#
#   bench/import.sh [POSTGRES_URL]
#
# (Re)creates the database, migrates, seeds the demo world (its unit DPIN, office UIO and user
# `registrar` receive the import) and BASE synthetic individuals, writes the sample, runs a dry
# run (timed, nothing written), then the import (timed), then the same import again (timed: it
# must create nothing).
#
# Environment: PEOPLE (default 100000), BASE (default 1000000), REUSE=1 (keep a database that
# already holds >= BASE individuals and no committed import), ROLLBACK=0 (keep the import; by
# default every batch is rolled back at the end, timed, leaving the database as it was), OUT
# (results folder), AMPARO_API_BIN (use this binary instead of building).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DB_URL="${1:-${AMPARO_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1/amparo_import_bench}}"
PEOPLE="${PEOPLE:-100000}"
BASE="${BASE:-1000000}"
REUSE="${REUSE:-0}"
ROLLBACK="${ROLLBACK:-1}"
OUT="${OUT:-$ROOT/target-bench/import/$(date -u +%Y%m%dT%H%M%SZ)}"

die() { echo "import-bench: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

command -v psql >/dev/null || die "'psql' is needed (postgresql-client)"
[[ "$PEOPLE" =~ ^[0-9]+$ ]] && (( PEOPLE > 0 )) || die "PEOPLE must be a positive whole number"
[[ "$BASE" =~ ^[0-9]+$ ]] || die "BASE must be a whole number"

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

if [[ -z "${AMPARO_API_BIN:-}" ]]; then
    log "building amparo-api (release)"
    (cd "$ROOT" && cargo build --release -p amparo-api --bin amparo-api)
    AMPARO_API_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/amparo-api"
fi
[[ -x "$AMPARO_API_BIN" ]] || die "no amparo-api binary at $AMPARO_API_BIN"
export AMPARO_DATABASE_URL="$DB_URL"

existing=0
if [[ "$REUSE" == 1 ]] && psql "$DB_URL" -Atqc "select 1" >/dev/null 2>&1; then
    existing="$(psql "$DB_URL" -Atqc "select case when (select count(*) from import_batches where status = 'committed') = 0 then (select count(*) from individuals) else 0 end" 2>/dev/null || echo 0)"
fi
if [[ "$REUSE" == 1 ]] && (( existing >= BASE )); then
    log "reusing $DB_NAME: it holds $existing individuals and no import"
    "$AMPARO_API_BIN" migrate
else
    log "recreating database $DB_NAME"
    psql "$ADMIN_URL" -v ON_ERROR_STOP=1 -qc "drop database if exists \"$DB_NAME\" with (force)"
    psql "$ADMIN_URL" -v ON_ERROR_STOP=1 -qc "create database \"$DB_NAME\""
    "$AMPARO_API_BIN" migrate
    log "seeding the demo world"
    "$AMPARO_API_BIN" seed --demo >/dev/null
    if (( BASE > 0 )); then
        log "seeding $BASE individuals"
        seed_start=$SECONDS
        "$AMPARO_API_BIN" seed --individuals "$BASE" >/dev/null
        log "seeded in $((SECONDS - seed_start)) s"
    fi
    psql "$DB_URL" -qc "vacuum analyze" >/dev/null
fi
held="$(psql "$DB_URL" -Atqc "select count(*) from individuals")"

log "writing a registration-system sample of $PEOPLE people"
"$AMPARO_API_BIN" import sample --kind registration-system --people "$PEOPLE" --out "$OUT/source" >"$OUT/sample.txt"
sources=("$OUT"/source/*.csv)

timed() {
    local name="$1"; shift
    local start end
    start=$(date +%s.%N)
    "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }'
}

log "dry run"
dry_s="$(timed dry-run "$AMPARO_API_BIN" import run --operator registrar --mapping "$OUT/source/mapping.toml" \
    --dry-run --report "$OUT/dry-run-report.txt" "${sources[@]}")"
log "import"
run_s="$(timed import "$AMPARO_API_BIN" import run --operator registrar --mapping "$OUT/source/mapping.toml" \
    --report "$OUT/import-report.txt" "${sources[@]}")"
log "the same import again"
again_s="$(timed again "$AMPARO_API_BIN" import run --operator registrar --mapping "$OUT/source/mapping.toml" \
    "${sources[@]}")"
[[ ! -s "$OUT/again.out" ]] || die "the second run committed batches: $(head -3 "$OUT/again.out")"

rows="$(( $(wc -l <"$OUT/source/personas.csv") - 1 ))"
created="$(psql "$DB_URL" -Atqc "select coalesce(sum(individuals_created), 0) from import_batches where status = 'committed'")"
batches="$(wc -l <"$OUT/import.out")"
reviews="$(psql "$DB_URL" -Atqc "select count(*) from import_reviews")"
{
    echo "source people (rows): $rows; database held $held individuals before"
    echo "dry run: $dry_s s"
    echo "import: $run_s s ($(awk -v r="$rows" -v s="$run_s" 'BEGIN { printf "%.0f", r / s }') rows/s), $batches batches, $created individuals created, $reviews possible duplicates for review"
    echo "second run: $again_s s, nothing created"
    if [[ "$ROLLBACK" == 1 ]]; then
        # Newest first, each timed; the database is left as it was, so REUSE=1 can run again.
        rb_start=$(date +%s.%N)
        : >"$OUT/rollback-times.txt"
        for b in $(tac "$OUT/import.out" | grep -oE '[0-9a-f]{8}-[0-9a-f-]{27}'); do
            s1=$(date +%s.%N)
            "$AMPARO_API_BIN" import rollback --operator registrar "$b" >>"$OUT/rollback.out" 2>>"$OUT/rollback.err" \
                || die "rollback of $b failed: $(tail -n 2 "$OUT/rollback.err")"
            awk -v s="$s1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f\n", e - s }' >>"$OUT/rollback-times.txt"
        done
        rb_s="$(awk -v s="$rb_start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')"
        rb_median="$(sort -n "$OUT/rollback-times.txt" | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print 0 }')"
        echo "rollback of every batch: $rb_s s ($batches batches, median $rb_median s a batch); individuals now $(psql "$DB_URL" -Atqc "select count(*) from individuals")"
    fi
    echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
} | tee "$OUT/summary.txt"
tail -n 1 "$OUT/import.err" >&2
