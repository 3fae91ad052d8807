#!/bin/sh
# Renders the GraphQL explorer in headless chromium with every host but 127.0.0.1 unresolvable,
# and says whether GraphiQL came up (its container, query editor and run button in the DOM) and
# whether the browser reported a Content-Security-Policy refusal.
#
#   cargo build -p amparo-api && bench/explorer-headless.sh target/debug/amparo-api
#
# Needs chromium (apt-get install chromium) and curl. Exit status 1 if the explorer did not render.
set -eu
BIN=${1:-target/debug/amparo-api}
PORT=${PORT:-18931}
DIR=$(mktemp -d)
AMPARO_DATABASE_URL="sqlite://$DIR/explorer.db" AMPARO_LISTEN="127.0.0.1:$PORT" "$BIN" serve \
  > "$DIR/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 1 60); do
  curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null && break
  sleep 1
done
timeout 120 chromium --headless=new --no-sandbox --disable-gpu --user-data-dir="$DIR/profile" \
  --host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" \
  --virtual-time-budget=15000 --dump-dom "http://127.0.0.1:$PORT/graphql" \
  > "$DIR/dom.html" 2> "$DIR/chromium.log" || true
if grep -qi "content security policy" "$DIR/chromium.log"; then
  echo "CSP refusals:"
  grep -i "content security policy" "$DIR/chromium.log" | head -5
fi
for part in graphiql-container graphiql-query-editor graphiql-execute-button; do
  if grep -q "$part" "$DIR/dom.html"; then
    echo "rendered: $part"
  else
    echo "missing: $part"
    exit 1
  fi
done
