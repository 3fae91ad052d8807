#!/usr/bin/env bash
# Export benchmark over a thin link: PEOPLE synthetic individuals exported by `amparo export`
# (CSV, every column a supervisor may read) through ../shared/tools/thinlink PROFILE, with the
# link cut for CUT seconds once CUT_AT percent of the file has arrived. Reports the bytes that
# crossed the link each way, the time (job written, download, whole command), the bytes the
# client received twice, and the wire bytes beyond the file.
#
#   sudo bench/export-thinlink.sh            (root: thinlink makes network namespaces)
#
# Environment: PEOPLE (100000), PROFILE (edge-2g), CUT (30), CUT_AT (40), OUT (results folder),
# AMPARO_API_BIN / AMPARO_BIN (binaries; default: the debug builds, built if absent),
# KEEP_DB=DIR (reuse a database directory seeded by an earlier run).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
THINLINK="${THINLINK:-$ROOT/../shared/tools/thinlink}"
PEOPLE="${PEOPLE:-100000}"
PROFILE="${PROFILE:-edge-2g}"
CUT="${CUT:-30}"
CUT_AT="${CUT_AT:-40}"
OUT="${OUT:-$ROOT/target-bench/export/$(date -u +%Y%m%dT%H%M%SZ)}"

die() { echo "export-bench: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

[[ $EUID -eq 0 ]] || die "run as root (thinlink makes network namespaces)"
[[ -x "$THINLINK" ]] || die "no thinlink at $THINLINK"
mkdir -p "$OUT"
log "results in $OUT"

if [[ -z "${AMPARO_API_BIN:-}" || -z "${AMPARO_BIN:-}" ]]; then
    log "building amparo-api and amparo (debug)"
    (cd "$ROOT" && cargo build -q -p amparo-api --bin amparo-api && cargo build -q -p amparo --bin amparo)
fi
API="${AMPARO_API_BIN:-$ROOT/target/debug/amparo-api}"
CLI="${AMPARO_BIN:-$ROOT/target/debug/amparo}"

DB_DIR="${KEEP_DB:-$OUT/db}"
mkdir -p "$DB_DIR"
export AMPARO_DATABASE_URL="sqlite://$DB_DIR/amparo.db"
if [[ ! -s "$DB_DIR/seeded" ]]; then
    log "seeding the demo world and $PEOPLE synthetic individuals"
    t0=$(date +%s)
    "$API" migrate >/dev/null
    "$API" seed --demo >/dev/null
    "$API" seed --individuals "$PEOPLE" >/dev/null 2>&1
    echo "$(( $(date +%s) - t0 ))" > "$DB_DIR/seeded"
    log "seeded in $(cat "$DB_DIR/seeded") s"
fi

cleanup() {
    [[ -n "${SERVER_PID:-}" ]] && kill "$SERVER_PID" 2>/dev/null || true
    "$THINLINK" down >/dev/null 2>&1 || true
}
trap cleanup EXIT

"$THINLINK" up "$PROFILE" --duration 3600
EXPORT_DIR="$OUT/server-exports"
mkdir -p "$EXPORT_DIR"
ip netns exec amp-srv env AMPARO_LISTEN=10.77.1.2:8080 AMPARO_EXPORT_DIR="$EXPORT_DIR" \
    AMPARO_LOG=warn "$API" serve >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do
    ip netns exec amp-srv bash -c 'exec 3<>/dev/tcp/10.77.1.2/8080' 2>/dev/null && break
    sleep 0.5
done

counters() { # rx_bytes tx_bytes of the client's end of the link
    ip -n amp-cw -s link show lk0 | awk '/RX:/{getline; rx=$1} /TX:/{getline; tx=$1} END{print rx, tx}'
}
read -r rx0 tx0 < <(counters)

printf 'amparo-demo' > "$OUT/password"
OUTFILE="$OUT/people.csv"
log "exporting over $PROFILE (cut of ${CUT}s at ${CUT_AT}%)"
start=$(date +%s.%N)
ip netns exec amp-cw "$CLI" --lang en --server http://10.77.1.2:8080 export \
    --kind individuals --purpose "thin-link benchmark" --username supervisor \
    --password-file "$OUT/password" --key "$OUT/export-key.txt" --out "$OUTFILE" --stats \
    >"$OUT/client.out" 2>"$OUT/client.err" &
CLIENT=$!

# Wait for the download to start, then cut the link once CUT_AT% of the file has arrived.
size=""
download_start=""
cut_done=0
while kill -0 "$CLIENT" 2>/dev/null; do
    part=$(ls "$OUT"/people.csv.*.part 2>/dev/null | head -1 || true)
    if [[ -n "$part" && -z "$download_start" ]]; then
        download_start=$(date +%s.%N)
        size=$(sqlite3 "$DB_DIR/amparo.db" "SELECT size_bytes FROM export_jobs ORDER BY id DESC LIMIT 1" 2>/dev/null || true)
    fi
    if [[ -n "$part" && -n "$size" && $cut_done -eq 0 ]]; then
        have=$(stat -c %s "$part" 2>/dev/null || echo 0)
        if (( have * 100 >= size * CUT_AT )); then
            log "cutting the link at $have of $size bytes for ${CUT}s"
            cut_have=$have
            ip -n amp-cw link set lk0 down
            sleep "$CUT"
            ip -n amp-cw link set lk0 up
            ip -n amp-cw addr show lk0 | grep -q 10.77.1.1 || ip -n amp-cw addr add 10.77.1.1 peer 10.77.1.2 dev lk0
            cut_done=1
        fi
    fi
    sleep 0.5
done
wait "$CLIENT" || { cat "$OUT/client.err" >&2; die "the export failed"; }
end=$(date +%s.%N)
read -r rx1 tx1 < <(counters)

size=$(sqlite3 "$DB_DIR/amparo.db" "SELECT size_bytes FROM export_jobs ORDER BY id DESC LIMIT 1")
rows=$(sqlite3 "$DB_DIR/amparo.db" "SELECT rows_done FROM export_jobs ORDER BY id DESC LIMIT 1")
written=$(sqlite3 "$DB_DIR/amparo.db" "SELECT (julianday(finished_at) - julianday(started_at)) * 86400 FROM export_jobs ORDER BY id DESC LIMIT 1")
down=$(( rx1 - rx0 ))
up=$(( tx1 - tx0 ))
stats=$(grep -E '^Download:' "$OUT/client.err" || true)
{
    echo "profile:            $PROFILE (cut ${CUT}s at ${cut_have:-?} bytes)"
    echo "records exported:   $rows ($(($(wc -l < "$OUTFILE") - 1)) CSV rows written by the client)"
    echo "encrypted file:     $size bytes (CSV $(stat -c %s "$OUTFILE") bytes once decrypted)"
    echo "job written in:     ${written} s (server side)"
    echo "download:           $(echo "$end - ${download_start:-$start}" | bc) s"
    echo "whole command:      $(echo "$end - $start" | bc) s"
    echo "bytes down (link):  $down ($(( down - size )) beyond the file: TCP/IP and HTTP framing, retransmissions of loss, the GraphQL polls)"
    echo "bytes up (link):    $up"
    echo "client:             $stats"
} | tee "$OUT/summary.txt"
