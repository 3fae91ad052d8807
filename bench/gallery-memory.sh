#!/usr/bin/env bash
# One server process's biometric gallery in memory: builds it for PEOPLE synthetic people (ten
# fingers and two irises each, as `seed --biometric-gallery` stores them) the way the server
# builds it at start, and prints the growth of resident memory and the time taken.
#
#   bench/gallery-memory.sh [PEOPLE]        # default 1000000
#
# Every server process holds its own gallery: multiply by the processes on one host.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PEOPLE="${1:-1000000}"
[[ "$PEOPLE" =~ ^[0-9]+$ ]] && (( PEOPLE > 0 )) || { echo "gallery-memory: PEOPLE must be a positive whole number" >&2; exit 1; }
if [[ -z "${GALLERY_MEMORY_BIN:-}" ]]; then
    (cd "$ROOT" && cargo build -q --release -p amparo-tests --bin amparo-gallery-memory)
    GALLERY_MEMORY_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/amparo-gallery-memory"
fi
"$GALLERY_MEMORY_BIN" "$PEOPLE"
