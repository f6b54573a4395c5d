#!/usr/bin/env bash
# Proves the multi-instance shape natively (no Docker engine needed): three `sro-api serve`
# processes on one PostgreSQL database, started at the same moment, sharing one signing key.
# Checks that migrations ran once, that a token issued by one instance is accepted by the
# others, that a write on one is read on another, that webhook notices of writes made on all
# three reach a receiver once each, in order, correctly signed, and that SIGTERM stops each one
# cleanly.
#
#   scripts/multi-instance.sh            # uses postgres://postgres@127.0.0.1:5432
set -euo pipefail
cd "$(dirname "$0")/.."

ADMIN_URL="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/test}"
DB=sro_multi_$$
DATABASE_URL="${ADMIN_URL%/*}/$DB"
WORK=$(mktemp -d)
BIN=target/release/sro-api
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

cargo build --release --quiet --bin sro-api
psql "$ADMIN_URL" -qc "CREATE DATABASE $DB"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/key.pem" 2>/dev/null
export DATABASE_URL JWT_SIGNING_KEY="$WORK/key.pem" RUST_LOG=info
# The receiver below is plain http on loopback: development mode for webhooks.
export WEBHOOK_ALLOW_INSECURE=true

# A webhook receiver: appends each POST (signature header and raw body) to a file.
cat >"$WORK/receiver.py" <<'PY'
import http.server, json, sys
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with open(sys.argv[2], "a") as out:
            out.write(json.dumps({"sig": self.headers["Sro-Signature"], "id": self.headers["Sro-Webhook-Id"],
                                  "body": body.decode()}) + "\n")
        self.send_response(204)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Hook).serve_forever()
PY
python3 "$WORK/receiver.py" 18090 "$WORK/received.jsonl" &
PIDS+=($!)

for port in 18081 18082 18083; do
  BIND_ADDR=127.0.0.1:$port "$BIN" serve >"$WORK/$port.log" 2>&1 &
  PIDS+=($!)
done
for port in 18081 18082 18083; do
  for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  echo "instance :$port ready: $(curl -s "http://127.0.0.1:$port/readyz")"
done

echo "migrations recorded: $(psql "$DATABASE_URL" -tAc 'SELECT count(*) FROM __diesel_schema_migrations')"
echo "instances that applied migrations: $(grep -l 'applied migrations' "$WORK"/*.log | wc -l)"

"$BIN" clients create --name "multi-instance admin" --role admin >"$WORK/admin.json" 2>/dev/null
ID=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['client_id'])" "$WORK/admin.json")
SECRET=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['client_secret'])" "$WORK/admin.json")
TOKEN=$(curl -s -u "$ID:$SECRET" -d grant_type=client_credentials http://127.0.0.1:18081/oauth/token |
  python3 -c "import json,sys; print(json.load(sys.stdin)['access_token'])")
echo "token issued by :18081"
for port in 18082 18083; do
  echo "GET /v1/me on :$port -> $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$port/v1/me")"
done
curl -s -o /dev/null -w 'PUT school on :18082 -> %{http_code}\n' -X PUT -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' http://127.0.0.1:18082/v1/schools/by-ministry-number/000566 \
  -d '{"name":"A. Lorne Cassidy Elementary School","level":"elementary","language":"en","kind":"public","board_id":"018f0000-0000-7000-8000-000000000001","postal_code":"K2S 1G8"}'
curl -s -o /dev/null -w 'GET school on :18083 -> %{http_code}\n' -H "Authorization: Bearer $TOKEN" \
  http://127.0.0.1:18083/v1/schools/by-ministry-number/000566

# Webhooks: the admin client subscribed to agencies; 30 agencies created, 10 on each instance.
HOOK=$(curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' http://127.0.0.1:18081/v1/webhooks \
  -d "{\"client_id\":\"$ID\",\"url\":\"http://127.0.0.1:18090/hook\",\"resources\":[\"agencies\"]}")
HOOK_SECRET=$(printf %s "$HOOK" | python3 -c "import json,sys; print(json.load(sys.stdin)['secret'])")
for i in $(seq 1 30); do
  port=$((18081 + i % 3))
  curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    "http://127.0.0.1:$port/v1/agencies" -d "{\"name\":\"Agency $i\",\"kind\":\"other\"}"
done
for _ in $(seq 1 100); do [ "$(wc -l <"$WORK/received.jsonl" 2>/dev/null || echo 0)" -ge 30 ] && break; sleep 0.1; done
sleep 2 # a late duplicate would arrive now
python3 - "$WORK/received.jsonl" "$HOOK_SECRET" <<'PY'
import hashlib, hmac, json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
seqs = [json.loads(l["body"])["seq"] for l in lines]
def valid(l):
    parts = [p.split("=", 1) for p in l["sig"].split(",")]
    t = next(v for k, v in parts if k == "t")
    mac = hmac.new(sys.argv[2].encode(), (t + "." + l["body"]).encode(), hashlib.sha256).hexdigest()
    return any(k == "v1" and hmac.compare_digest(v, mac) for k, v in parts)
print(f"webhook notices received: {len(lines)}, distinct ids: {len({l['id'] for l in lines})}, "
      f"in seq order: {seqs == sorted(seqs)}, signatures valid: {all(valid(l) for l in lines)}")
PY

for pid in "${PIDS[@]}"; do kill -TERM "$pid"; done
for pid in "${PIDS[@]}"; do wait "$pid" && echo "pid $pid stopped cleanly (exit 0)"; done
PIDS=()
