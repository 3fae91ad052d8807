#!/usr/bin/env bash
# Bytes on the wire (gzip, as a phone's browser receives them) of each page of the public
# pre-registration form, walked as a family of three does: the empty form, the form with three
# people, the confirmation, the status page with free times, and the status page after booking.
#
#   bench/pre-registration-weight.sh [http://127.0.0.1:8080]
#
# Needs a server with a unit whose form is on (`amparo-api serve --demo`) and curl.
set -euo pipefail
base=${1:-http://127.0.0.1:8080}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# page NAME curl-args...: prints NAME, gzip bytes, plain bytes; keeps the plain page in $tmp/NAME.
page() {
  local name=$1
  shift
  local gz plain
  gz=$(curl -sS -H 'Accept-Encoding: gzip' -o "$tmp/$name.gz" -w '%{size_download}' "$@")
  plain=$(gunzip -c "$tmp/$name.gz" 2>/dev/null | tee "$tmp/$name" | wc -c)
  printf '%-28s %7s bytes gzip %8s bytes plain\n' "$name" "$gz" "$plain"
}
pick() { grep -o "$1" "$tmp/$2" | head -1 | sed -E "$3"; }

page form-es "$base/pre-registration"
page form-en "$base/pre-registration?lang=en"
token=$(pick 'name="token" value="[0-9A-Z]*"' form-es 's/.*value="([^"]*)"/\1/')
office=$(pick '<option value="[^"]*">Quito' form-es 's/<option value="([^"]*)".*/\1/')
family=(
  --data-urlencode "token=$token" --data-urlencode lang=es
  --data-urlencode "members.0.givenNames=Ana María" --data-urlencode "members.0.familyName=Pérez"
  --data-urlencode members.0.sex=F --data-urlencode members.0.dateOfBirth=1988-03-14
  --data-urlencode members.0.nationality=VEN
  --data-urlencode members.1.givenNames=Luis --data-urlencode members.1.familyName=Rondón
  --data-urlencode members.1.sex=M --data-urlencode members.1.dateOfBirth=1985-11-02
  --data-urlencode members.1.nationality=VEN --data-urlencode members.1.relationship=spouse
  --data-urlencode "members.2.givenNames=Sofía" --data-urlencode members.2.familyName=Rondón
  --data-urlencode members.2.sex=F --data-urlencode members.2.age=4
  --data-urlencode members.2.nationality=VEN --data-urlencode members.2.relationship=daughter
  --data-urlencode "phone=+593 99 123 4567" --data-urlencode province=Carchi
  --data-urlencode "canton=Tulcán" --data-urlencode "office=$office"
  --data-urlencode languages.0=spa --data-urlencode urgent=chronic_illness --data-urlencode consent=on
)
page form-three-people "${family[@]}" --data-urlencode action=add "$base/pre-registration"
page confirmation "${family[@]}" --data-urlencode action=send "$base/pre-registration"
reference=$(pick 'id="reference">[^<]*' confirmation 's/.*>//')
secret=$(pick 'id="secret">[^<]*' confirmation 's/.*>//')
creds=(--data-urlencode lang=es --data-urlencode "reference=$reference" --data-urlencode "secret=$secret")
page status-free-times "${creds[@]}" "$base/pre-registration/status"
slot=$(pick 'name="slot"><option value="[^"]*"' status-free-times 's/.*value="([^"]*)"/\1/')
page status-booked "${creds[@]}" --data-urlencode "slot=$slot" --data-urlencode action=book \
  "$base/pre-registration/status"
grep -q 'id="appointment"' "$tmp/status-booked" || { echo "booking failed" >&2; exit 1; }
