#!/usr/bin/env bash
# Throughput, latency and memory of the release binary, measured with wrk.
#
#   bench/run.sh               # E1–E4 on PostgreSQL beside pgbench (bench/limit.sh): issue 11's table
#   bench/run.sh sqlite        # or: bench/run.sh postgres: a dozen requests on the demo data, E1–E4 among them
#
# Needs wrk (`apt-get install wrk`), curl, python3 and openssl; for postgres a local server
# (PG_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/test). Loads the demo data set
# (`sro-api demo`: the 398 Ottawa schools, each with an SRO, and two school years of case
# records), then runs each scenario for DURATION seconds with CONNECTIONS connections.
set -euo pipefail
cd "$(dirname "$0")/.."

BACKEND="${1:-limit}"
if [ "$BACKEND" = limit ]; then
  exec bash bench/limit.sh
fi
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"
PORT="${PORT:-18090}"
BIN=target/release/sro-api
WORK=$(mktemp -d)
BASE="http://127.0.0.1:$PORT"
SERVER_PID=""

command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk" >&2; exit 1; }
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  [ "$BACKEND" = postgres ] && psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $PGDB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

case "$BACKEND" in
  sqlite) export DATABASE_URL="sqlite://$WORK/bench.db" ;;
  postgres)
    PG_ADMIN_URL="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/test}"
    PGDB=sro_bench_$$
    psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $PGDB"
    export DATABASE_URL="${PG_ADMIN_URL%/*}/$PGDB" ;;
  *) echo "usage: $0 [limit|sqlite|postgres]" >&2; exit 2 ;;
esac

cargo build --release --quiet --bin sro-api
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/key.pem" 2>/dev/null
export JWT_SIGNING_KEY="$WORK/key.pem" RUST_LOG=warn BIND_ADDR="127.0.0.1:$PORT" TOKEN_TTL_SECONDS=3600

"$BIN" demo >"$WORK/demo.json" 2>/dev/null
CAS=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["childrens_aid_society_id"])' "$WORK/demo.json")
"$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.1; done

token() {
  local json id secret
  json=$("$BIN" clients create --name bench "$@" 2>/dev/null)
  id=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["client_id"])' <<<"$json")
  secret=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["client_secret"])' <<<"$json")
  curl -s -u "$id:$secret" -d grant_type=client_credentials "$BASE/oauth/token" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
ADMIN=$(token --role admin)
BOARD=$(token --role board --board CECCE)
H="Authorization: Bearer $ADMIN"

OFFICER_ID=$(curl -s -H "$H" "$BASE/v1/officers?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
OFFICER=$(token --role officer --officer "$OFFICER_ID")
AGENCY=$(token --role agency --agency "$CAS")
ONE=$(curl -s -H "$H" "$BASE/v1/schools?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
INCIDENT=$(curl -s -H "$H" "$BASE/v1/incidents?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
PUT_BODY=$(curl -s -H "$H" "$BASE/v1/schools/$ONE" | python3 -c '
import json,sys
s=json.load(sys.stdin)
print(json.dumps({k: s[k] for k in ["board_id","name","level","language","kind","street","city","postal_code","phone","active"]}))')
NUMBER=$(curl -s -H "$H" "$BASE/v1/schools/$ONE" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ministry_number"])')
PERSON=$(curl -s -H "$H" "$BASE/v1/persons?limit=1&school_id=$ONE" | python3 -c 'import json,sys; d=json.load(sys.stdin)["data"]; print(d[0]["id"] if d else "")')
[ -n "$PERSON" ] || PERSON=$(curl -s -H "$H" "$BASE/v1/persons" -H 'Content-Type: application/json' \
  -d "{\"given_name\":\"Bench\",\"family_name\":\"Mark\",\"school_id\":\"$ONE\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
cat >"$WORK/e4.lua" <<LUA
wrk.method = "POST"
wrk.body = [[{"school_id":"$ONE","occurred_at":"2026-11-20T15:30:00Z","location":"school_property","during_school_hours":true,"category":"bullying","summary":"Benchmark incident.","involved":[{"person_id":"$PERSON","role":"subject"}]}]]
wrk.headers["Content-Type"] = "application/json"
LUA
cat >"$WORK/put.lua" <<LUA
wrk.method = "PUT"
wrk.body = [[$PUT_BODY]]
wrk.headers["Content-Type"] = "application/json"
LUA

run() {
  local name="$1"; shift
  local out
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  printf '| %s | %s | %s | %s | %s |\n' "$name" "$rps" "$p50" "$p99" "${errors:-0}"
}

echo "backend: $BACKEND, $(nproc) cores shared by wrk and the server, ${DURATION}s per scenario, $CONNECTIONS connections"
echo
echo "| scenario | requests/s | p50 | p99 | non-2xx |"
echo "| --- | --- | --- | --- | --- |"
run "GET /healthz" "$BASE/healthz"
run "E1 GET /v1/schools/{id}" -H "$H" "$BASE/v1/schools/$ONE"
run "E2 GET /v1/schools?limit=100" -H "$H" "$BASE/v1/schools?limit=100"
run "E3 GET /v1/incidents?school_id=..&limit=50 (admin; audited)" -H "$H" "$BASE/v1/incidents?school_id=$ONE&limit=50"
run "GET /v1/schools?limit=50 (admin, with SROs)" -H "$H" "$BASE/v1/schools?limit=50"
run "GET /v1/schools?q=ecole (CECCE board client)" -H "Authorization: Bearer $BOARD" "$BASE/v1/schools?q=ecole&limit=50"
run "GET /v1/schools?unassigned=true" -H "$H" "$BASE/v1/schools?unassigned=true&limit=50"
run "PUT by ministry number, unchanged (SIS resync)" -H "$H" -s "$WORK/put.lua" "$BASE/v1/schools/by-ministry-number/$NUMBER"
run "GET /v1/incidents?limit=50 (admin; audited)" -H "$H" "$BASE/v1/incidents?limit=50"
run "GET /v1/incidents/{id} (admin; audited)" -H "$H" "$BASE/v1/incidents/$INCIDENT"
run "GET /v1/incidents?limit=50 (officer: policy join)" -H "Authorization: Bearer $OFFICER" "$BASE/v1/incidents?limit=50"
run "GET /v1/incidents?limit=50 (CECCE board: projection)" -H "Authorization: Bearer $BOARD" "$BASE/v1/incidents?limit=50"
run "GET /v1/referrals?limit=50 (CAS agency)" -H "Authorization: Bearer $AGENCY" "$BASE/v1/referrals?limit=50"
run "GET /v1/persons?limit=50 (admin; audited)" -H "$H" "$BASE/v1/persons?limit=50"
# Last: it adds thousands of incidents at one school, which the lists above would then scan.
run "E4 POST /v1/incidents" -H "$H" -s "$WORK/e4.lua" "$BASE/v1/incidents"
echo
echo "server memory: $(awk '/VmHWM|VmRSS/ {printf "%s %s kB  ", $1, $2}' /proc/$SERVER_PID/status)"
