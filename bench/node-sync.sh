#!/usr/bin/env bash
# Field node sync over a thin link: central in network namespace amp-srv (10.77.1.2), the node in
# amp-cw (10.77.1.1), joined by ../shared/tools/thinlink (root needed).
#
#   bench/node-sync.sh
#
# Seeds a unit (N individuals; the office OFFICE gets its share: Lago Agrio 15%, so N=67000
# gives it about 10,000 people) on a SQLite central, enrols a node of OFFICE, and reports:
#   1. first sync: bytes that crossed the link (both ways) and time;
#   2. an incremental sync of CHANGES edits made on central (goal: < 20 KB, < 10 s on edge-2g);
#   3. a second node's first sync with the link cut for CUT seconds mid-transfer, resumed by a
#      second `node sync`: bytes against the uninterrupted first sync (goal: no byte of a
#      completed chunk sent twice, so the difference stays under one chunk).
#
# Environment: N (default 67000), OFFICE (default LGA), PROFILE (default edge-2g), CHANGES
# (default 100), CUT (default 30; 0 leaves out the third measure), AMPARO_API_BIN (default target/debug/amparo-api, built if
# missing), THINLINK (default ../shared/tools/thinlink), OUT (results folder).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${N:-67000}"
OFFICE="${OFFICE:-LGA}"
PROFILE="${PROFILE:-edge-2g}"
CHANGES="${CHANGES:-100}"
CUT="${CUT:-30}"
BIN="${AMPARO_API_BIN:-$ROOT/target/debug/amparo-api}"
THINLINK="${THINLINK:-$ROOT/../../shared/tools/thinlink}"
[ -x "$THINLINK" ] || THINLINK=/work/shared/tools/thinlink
OUT="${OUT:-$(mktemp -d /tmp/amparo-node-sync.XXXXXX)}"
PORT=8080

die() { echo "node-sync: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

[ "$(id -u)" = 0 ] || die "run as root: the thin link needs network namespaces"
for tool in ip jq curl python3; do command -v "$tool" >/dev/null || die "'$tool' is needed"; done
if [ ! -x "$BIN" ]; then
    log "building amparo-api"
    cargo build -q -p amparo-api --bin amparo-api --manifest-path "$ROOT/Cargo.toml"
fi

mkdir -p "$OUT"
export AMPARO_DATABASE_URL="sqlite://$OUT/central.db"
export AMPARO_NODE_PASSPHRASE=""
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
    "$THINLINK" down >/dev/null 2>&1 || true
}
trap cleanup EXIT

"$BIN" migrate >/dev/null
# A central seeded by an earlier run in the same OUT is used again (seeding takes minutes).
if [ "$(sqlite3 "$OUT/central.db" "SELECT COUNT(*) FROM individuals" 2>/dev/null || echo 0)" -lt "$N" ]; then
    log "seeding $N individuals into $AMPARO_DATABASE_URL"
    "$BIN" seed --individuals "$N" >/dev/null
fi
if [ "$(sqlite3 "$OUT/central.db" "SELECT COUNT(*) FROM users WHERE username = 'bench.clerk'")" = 0 ]; then
    echo "bench-clerk-password-1" | "$BIN" user add bench.clerk --unit DPIN --office "$OFFICE" \
        --role registration_clerk --password-stdin >/dev/null
fi
rm -rf "$OUT/node1" "$OUT/node2" "$OUT/node1.key" "$OUT/node2.key"

"$THINLINK" up "$PROFILE" --duration 3600
rx() { ip -n amp-cw -s link show lk0 | awk '/RX:/{getline; print $1}'; }
tx() { ip -n amp-cw -s link show lk0 | awk '/TX:/{getline; print $1}'; }
bytes() { echo $(( $(rx) + $(tx) )); }

ip netns exec amp-srv env AMPARO_LISTEN="10.77.1.2:$PORT" "$BIN" serve >"$OUT/central.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do
    ip netns exec amp-srv curl -sf "http://10.77.1.2:$PORT/healthz" >/dev/null && break
    sleep 0.3
done

enrol() { "$BIN" node enrol --office "$OFFICE" | awk '/enrolment code/{print $NF}'; }
node() { ip netns exec amp-cw "$BIN" node "$@"; }

log "1. first sync of office $OFFICE over $PROFILE"
code=$(enrol)
b0=$(bytes); t0=$(date +%s.%N)
node init --central "http://10.77.1.2:$PORT" --code "$code" --data "$OUT/node1" \
    --key-file "$OUT/node1.key" 2>"$OUT/first.log"
t1=$(date +%s.%N); b1=$(bytes)
first_bytes=$((b1 - b0))
first_secs=$(echo "$t1 - $t0" | bc)
people=$(sqlite3 "$OUT/central.db" "SELECT COUNT(*) FROM individuals i JOIN offices o ON o.id = i.office_id WHERE o.code = '$OFFICE'" 2>/dev/null || echo "?")

log "2. $CHANGES changes on central, then an incremental sync"
gql() { ip netns exec amp-srv curl -s "http://10.77.1.2:$PORT/graphql" -H 'content-type: application/json' "$@"; }
token=$(gql -d '{"query":"mutation { login(input: {username: \"bench.clerk\", password: \"bench-clerk-password-1\"}) { token } }"}' | jq -r '.data.login.token')
gql -H "authorization: Bearer $token" \
    -d "{\"query\":\"{ individuals(first: $CHANGES) { edges { node { id version } } } }\"}" \
    | jq -c '.data.individuals.edges[].node' >"$OUT/people.jsonl"
# Ids of this run: a central reused from an earlier run already answered "bench-1" and would
# replay that answer instead of editing again.
run=$(date +%s)
i=0
applied=0
while read -r p; do
    i=$((i + 1))
    id=$(jq -r .id <<<"$p"); v=$(jq -r .version <<<"$p")
    gql -H "authorization: Bearer $token" -d "{\"query\":\"mutation(\$i: UpdateIndividualInput!) { updateIndividual(input: \$i) { individual { version } } }\",\"variables\":{\"i\":{\"clientMutationId\":\"bench-$run-$i\",\"id\":\"$id\",\"version\":$v,\"placeOfBirth\":\"Nueva Loja $run $i\"}}}" \
        | jq -e '.data.updateIndividual.individual.version' >/dev/null && applied=$((applied + 1))
done <"$OUT/people.jsonl"
b0=$(bytes); t0=$(date +%s.%N)
node sync --data "$OUT/node1" --key-file "$OUT/node1.key" 2>"$OUT/increment.log"
t1=$(date +%s.%N); b1=$(bytes)
inc_bytes=$((b1 - b0))
inc_secs=$(echo "$t1 - $t0" | bc)

cut_bytes="not measured (CUT=0)"; cut_secs=""
if [ "$CUT" != 0 ]; then
    log "3. a second node's first sync, link cut for ${CUT}s mid-transfer, then resumed"
    code=$(enrol)
    b0=$(bytes); t0=$(date +%s.%N)
    ( sleep $(echo "$first_secs / 3" | bc); ip -n amp-cw link set lk0 down; sleep "$CUT"; ip -n amp-cw link set lk0 up ) &
    cutter=$!
    node init --central "http://10.77.1.2:$PORT" --code "$code" --data "$OUT/node2" \
        --key-file "$OUT/node2.key" 2>"$OUT/cut.log" || true
    wait "$cutter" || true
    until node sync --data "$OUT/node2" --key-file "$OUT/node2.key" 2>>"$OUT/cut.log"; do sleep 2; done
    t1=$(date +%s.%N); b1=$(bytes)
    cut_bytes=$((b1 - b0))
    cut_secs=$(echo "$t1 - $t0" | bc)
fi

cat <<EOF | tee "$OUT/summary.txt"
node sync over $PROFILE, office $OFFICE ($people people of $N in the unit)
first sync:            $first_bytes bytes on the link, $first_secs s
incremental ($applied of $CHANGES changes applied): $inc_bytes bytes on the link, $inc_secs s
first sync cut ${CUT}s:  $cut_bytes bytes on the link (uninterrupted: $first_bytes), $cut_secs s
EOF
