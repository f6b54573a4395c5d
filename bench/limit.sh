#!/usr/bin/env bash
# E1–E4 on PostgreSQL, each side by side with pgbench running exactly the SQL that request sends
# (the limit: no HTTP, no JSON, no auth), interleaved, REPS times (issue 11).
#
#   bench/limit.sh                      # REPS=4 DURATION=10 CONNECTIONS="64 8" REQUESTS="E1 E2 E3 E4"
#   BIN=/tmp/old/sro-api bench/limit.sh # another build of the server (no cargo build)
#
# E1 GET /v1/schools/{id}   E2 GET /v1/schools?limit=100   E3 GET /v1/incidents?school_id=..&limit=50
# (admin; audited)   E4 POST /v1/incidents (validation, then one transaction with the audit event
# and the change-feed entry). Data: the demo plus bench/generate.sql (450 schools, 200,000
# incidents). The SQL of each request is captured from PostgreSQL's own log (`log_statement =
# all` on the bench database while one request of each kind is made) and turned into a pgbench
# script by bench/limit.py. Needs wrk, pgbench and psql (`apt-get install wrk postgresql`: Debian
# ships pgbench with the server), curl, python3, openssl, a local PostgreSQL (PG_ADMIN_URL) and
# read access to its log (PG_LOG). The script bench/sql/E*.sql each run used is left in bench/sql.
set -euo pipefail
# A build given from outside is taken as the caller named it, before the cd below.
BIN="${BIN:+$(realpath "$BIN")}"
cd "$(dirname "$0")/.."

REPS="${REPS:-4}"
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-64 8}"
PORT="${PORT:-18091}"
PG_ADMIN_URL="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/test}"
PG_LOG="${PG_LOG:-$(ls /var/log/postgresql/postgresql-*-main.log 2>/dev/null | head -n 1)}"
REQUESTS="${REQUESTS:-E1 E2 E3 E4}"
for e in $REQUESTS; do
  case "$e" in E1|E2|E3|E4) ;; *) echo "unknown request $e in REQUESTS (E1 E2 E3 E4)" >&2; exit 1 ;; esac
done
# Only a full run of this tree's build replaces the committed figures and scripts (bench/sql,
# bench/last-results.jsonl); a partial run or another build leaves them as they are.
FULL=$([ -z "$BIN" ] && [ "$REQUESTS" = "E1 E2 E3 E4" ] && echo 1 || echo 0)
WORK=$(mktemp -d)
PGDB=sro_limit_$$
BASE="http://127.0.0.1:$PORT"
SERVER_PID=""
HERE=$(pwd)

for tool in wrk pgbench psql curl python3 openssl; do
  command -v "$tool" >/dev/null || { echo "$tool not found: apt-get install wrk postgresql (pgbench is in the server package)" >&2; exit 1; }
done
[ -r "$PG_LOG" ] || { echo "cannot read PostgreSQL's log (set PG_LOG)" >&2; exit 1; }
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $PGDB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $PGDB"
# Plain TCP for the server and pgbench alike: PostgreSQL's default (ssl = on) makes libpq
# encrypt even on 127.0.0.1 (sslmode=prefer), the pipelined reader does not (tokio-postgres
# without TLS), and the limit must pay what the server pays (bench/README.md, run 6).
export DATABASE_URL="${PG_ADMIN_URL%/*}/$PGDB?sslmode=disable"
if [ -z "$BIN" ]; then
  cargo build --release --quiet --bin sro-api
  BIN=target/release/sro-api
fi
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/key.pem" 2>/dev/null
# Production logging: the access log at info, to a file.
export JWT_SIGNING_KEY="$WORK/key.pem" RUST_LOG=info BIND_ADDR="127.0.0.1:$PORT" TOKEN_TTL_SECONDS=3600
# A 2-core instance as deployed: the pool that serves 2 cores (run 4's sweep) and the image's
# allocator setting (Dockerfile); either can be overridden from the environment.
export DB_POOL_SIZE="${DB_POOL_SIZE:-4}" MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
"$BIN" migrate >/dev/null 2>&1
"$BIN" demo >"$WORK/demo.json" 2>/dev/null
started=$(date +%s.%N)
psql "$DATABASE_URL" -q -f bench/generate.sql >/dev/null
GENERATED=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$started" "$(date +%s.%N)")

start_server() {
  "$BIN" serve >>"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do curl -sf "$BASE/readyz" >/dev/null && return; sleep 0.1; done
  echo "the server did not start" >&2; cat "$WORK/server.log" >&2; exit 1
}
stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; }

token() {
  local json id secret
  json=$("$BIN" clients create --name bench "$@" 2>/dev/null)
  id=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["client_id"])' <<<"$json")
  secret=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["client_secret"])' <<<"$json")
  curl -s -u "$id:$secret" -d grant_type=client_credentials "$BASE/oauth/token" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

# Capture: every statement of the bench database goes to the log while one request of each
# kind is made (new connections only, hence set before the server starts).
psql "$DATABASE_URL" -qc "ALTER DATABASE $PGDB SET log_statement = 'all'"
start_server
ADMIN=$(token --role admin)
H="Authorization: Bearer $ADMIN"
json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
SCHOOL=$(curl -s -H "$H" "$BASE/v1/schools?limit=1&q=bench" | json_field '["data"][0]["id"]')
PERSON=$(psql "$DATABASE_URL" -Atc "SELECT id FROM persons WHERE school_id = '$SCHOOL' LIMIT 1")
E1_URL="$BASE/v1/schools/$SCHOOL"
E2_URL="$BASE/v1/schools?limit=100"
E3_URL="$BASE/v1/incidents?school_id=$SCHOOL&limit=50"
E4_URL="$BASE/v1/incidents"
E4_BODY="{\"school_id\":\"$SCHOOL\",\"occurred_at\":\"2026-11-20T15:30:00Z\",\"location\":\"school_property\",\"during_school_hours\":true,\"category\":\"bullying\",\"summary\":\"Benchmark incident.\",\"involved\":[{\"person_id\":\"$PERSON\",\"role\":\"subject\"}]}"
cat >"$WORK/e4.lua" <<LUA
wrk.method = "POST"
wrk.body = [[$E4_BODY]]
wrk.headers["Content-Type"] = "application/json"
LUA
# A first request of each kind warms the token cache and the connections.
for url in "$E1_URL" "$E2_URL" "$E3_URL"; do curl -s -o /dev/null -H "$H" "$url"; done
capture() {
  local name="$1"; shift
  sleep 0.5
  local before; before=$(stat -c %s "$PG_LOG")
  curl -s -o /dev/null -w '' -H "$H" "$@"
  sleep 0.5
  tail -c +"$((before + 1))" "$PG_LOG" >"$WORK/$name.log"
  python3 bench/limit.py script "$PGDB" <"$WORK/$name.log" >"$WORK/$name.sql"
}
capture E1 "$E1_URL"
capture E2 "$E2_URL"
capture E3 "$E3_URL"
capture E4 -X POST -H "Content-Type: application/json" -d "$E4_BODY" "$E4_URL"
stop_server
psql "$DATABASE_URL" -qc "ALTER DATABASE $PGDB RESET log_statement"
if [ "$FULL" = 1 ]; then
  mkdir -p bench/sql
  for e in E1 E2 E3 E4; do cp "$WORK/$e.sql" "bench/sql/$e.sql"; done
fi
start_server
for url in "$E1_URL" "$E2_URL" "$E3_URL"; do curl -s -o /dev/null -H "$H" "$url"; done

# CPU: the server's own ticks; PostgreSQL's as every live postgres process plus what the
# postmaster has collected from backends that exited (pgbench's connections end with its run).
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
POSTMASTER=$(ps -C postgres -o pid=,ppid= | awk '$2 == 1 {print $1; exit}')
pg_ticks() {
  local total=0 pid
  for pid in $(pgrep -x postgres); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo $((total + $(awk '{print $16 + $17}' "/proc/$POSTMASTER/stat")))
}
HZ=$(getconf CLK_TCK)
RESULTS="$WORK/results.jsonl"

run_one() {
  local e="$1" conns="$2" url="$3"; shift 3
  local s0 p0 s1 p1 out b0 b1 bench tps pctl
  serve() {
    s0=$(ticks "$SERVER_PID"); p0=$(pg_ticks)
    out=$(wrk -t2 -c"$conns" -d"${DURATION}s" --latency -H "$H" "$@" "$url" | python3 bench/limit.py wrk)
    s1=$(ticks "$SERVER_PID"); p1=$(pg_ticks)
  }
  limit() {
    rm -f "$WORK"/pgb.*
    b0=$(pg_ticks)
    bench=$(cd "$WORK" && pgbench -n -M prepared -c "$conns" -j 2 -T "$DURATION" -f "$WORK/$e.sql" \
      --log --log-prefix=pgb "$DATABASE_URL" 2>&1)
    b1=$(pg_ticks)
  }
  # Which side goes first alternates from one repetition to the next (wrk first in odd ones), so
  # neither always runs on the state the other leaves behind (caches, background writes); an
  # even REPS balances it.
  if [ $((REP % 2)) -eq 1 ]; then serve "$@"; limit; else limit; serve "$@"; fi
  tps=$(awk '/^tps =/ {print $3; exit}' <<<"$bench")
  pctl=$(python3 bench/limit.py percentiles "$WORK"/pgb.*)
  python3 - "$out" "$e" "$conns" "$((s1 - s0))" "$((p1 - p0))" "$((b1 - b0))" "${tps:-0}" "$pctl" "$HZ" >>"$RESULTS" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
e, conns, server, pg, pgb, tps, pctl, hz = sys.argv[2:]
hz = int(hz)
req = max(r["requests"], 1)
transactions = max(float(tps) * float(__import__("os").environ.get("DURATION", "10")), 1.0)
p50, p99 = (pctl.split() + ["nan", "nan"])[:2]
print(json.dumps({
    "request": e, "connections": int(conns), **r,
    "tps": float(tps),
    "server_us": int(server) * 1e6 / hz / req,
    "pg_us": int(pg) * 1e6 / hz / req,
    "pgbench_pg_us": int(pgb) * 1e6 / hz / transactions,
    "pg_p50": float(p50), "pg_p99": float(p99),
}))
PY
}

export DURATION
for REP in $(seq 1 "$REPS"); do
  for conns in $CONNECTIONS; do
    for e in $REQUESTS; do
      case "$e" in
        E1) run_one E1 "$conns" "$E1_URL" ;;
        E2) run_one E2 "$conns" "$E2_URL" ;;
        E3) run_one E3 "$conns" "$E3_URL" ;;
        E4) run_one E4 "$conns" "$E4_URL" -s "$WORK/e4.lua" ;;
      esac
    done
  done
done

# Page 1,000 against page 1 (keyset paging: the same cost), admin, 8 connections, one run each.
PAGE_URL="$BASE/v1/incidents?limit=50"
cursor=""
for _ in $(seq 1 999); do
  cursor=$(curl -s -H "$H" "$PAGE_URL$cursor" | python3 -c 'import json,sys; print("&cursor=" + json.load(sys.stdin)["next_cursor"])')
done
page_rps() { wrk -t2 -c8 -d"${DURATION}s" --latency -H "$H" "$1" | python3 bench/limit.py wrk; }
PAGE1=$(page_rps "$PAGE_URL")
PAGE1000=$(page_rps "$PAGE_URL$cursor")

echo "PostgreSQL $(psql "$DATABASE_URL" -Atc 'SHOW server_version'), $(nproc) cores shared by wrk, pgbench, the server and PostgreSQL;"
echo "$REPS interleaved repetitions of ${DURATION}s; data generated in ${GENERATED}s; pool ${DB_POOL_SIZE} connections, MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX}"
echo
python3 bench/limit.py table "$RESULTS"
echo
python3 - "$PAGE1" "$PAGE1000" <<'PY'
import json, sys
one, thousand = (json.loads(a) for a in sys.argv[1:])
print(f"GET /v1/incidents?limit=50 (admin, audited), 8 connections: page 1 {one['rps']:,.0f} req/s "
      f"(p99 {one['p99']:.2f} ms), page 1,000 {thousand['rps']:,.0f} req/s (p99 {thousand['p99']:.2f} ms)")
PY
echo "server peak RSS (VmHWM): $(awk '/VmHWM/ {print $2, $3}' "/proc/$SERVER_PID/status"); errors in the server log: $(grep -c ' 5[0-9][0-9] ' "$WORK/server.log" || true)"
if [ "$FULL" = 1 ]; then
  cp "$RESULTS" "$HERE/bench/last-results.jsonl"
else
  echo "(a partial run or another build: bench/sql and bench/last-results.jsonl left as they were)"
fi
