#!/usr/bin/env bash
# The change feed's seal at commit: one transaction inserting ENTRIES feed entries of one unit
# (as a batch of the bulk seed or of an import does), committed RUNS times into a scratch
# PostgreSQL database migrated by `amparo-api migrate`; prints each commit's time and the median.
#
#   bench/feed-seal.sh [ENTRIES] [RUNS]        # default 20000 5
#
# Environment: AMPARO_API_BIN (default target/release/amparo-api, built if absent),
# ADMIN_URL (default postgres://postgres@127.0.0.1/postgres).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ENTRIES="${1:-20000}"
RUNS="${2:-5}"
ADMIN_URL="${ADMIN_URL:-postgres://postgres@127.0.0.1/postgres}"
[[ "$ENTRIES" =~ ^[0-9]+$ && "$RUNS" =~ ^[0-9]+$ ]] || { echo "feed-seal: ENTRIES and RUNS are whole numbers" >&2; exit 1; }
BIN="${AMPARO_API_BIN:-$ROOT/target/release/amparo-api}"
[[ -x "$BIN" ]] || (cd "$ROOT" && cargo build -q --release -p amparo-api)
DB="amparo_feed_seal_$$"
URL="${ADMIN_URL%/*}/$DB"
psql "$ADMIN_URL" -qc "CREATE DATABASE $DB"
trap 'psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)"' EXIT
AMPARO_DATABASE_URL="$URL" AMPARO_LOG=warn "$BIN" migrate >/dev/null
AMPARO_DATABASE_URL="$URL" AMPARO_LOG=warn "$BIN" seed --demo >/dev/null
UNIT=$(psql "$URL" -Atc "SELECT id FROM operation_units ORDER BY id LIMIT 1")
[[ -n "$UNIT" ]] || { echo "feed-seal: no operation unit to write for" >&2; exit 1; }
times=()
for i in $(seq "$RUNS"); do
    ms=$(psql "$URL" -At <<SQL | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1
BEGIN;
INSERT INTO change_feed (operation_unit_id, record_type, record_id, version, operation, field_groups, at)
  SELECT '$UNIT', 'individual', 'r$i-' || g, 1, 'create', '', now() FROM generate_series(1, $ENTRIES) g;
\timing on
COMMIT;
SQL
)
    echo "commit of $ENTRIES entries: $ms ms"
    times+=("$ms")
done
printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {printf "median: %s ms over %d runs\n", a[int((NR+1)/2)], NR}'
