#!/usr/bin/env python3
"""Helpers of bench/limit.sh.

  limit.py script DB < postgres.log > request.sql
      The statements one request sent to database DB (from a `log_statement = all` log), with
      their bound parameters written in, as a pgbench script. Ids the request created (a new
      incident, an audit event) become fresh values per transaction, and a change-feed number
      is taken from `change_head`, so the script can run many times over.
  limit.py percentiles FILE...
      p50 and p99 (ms) of pgbench per-transaction logs (`--log`).
  limit.py wrk < wrk-output
      requests/s, p50/p99 ms and errors of one wrk run, as JSON.
  limit.py table RESULTS.jsonl
      The markdown table of a run: medians over the repetitions.
"""
import json
import re
import statistics
import sys

RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
BACKGROUND = re.compile(r'SELECT "change_head"\."seq" FROM "change_head"|SELECT "webhooks"\.')


def records(text):
    out = []
    for line in text.splitlines():
        if RECORD.match(line) or not out:
            out.append(line)
        else:
            out[-1] += "\n" + line
    return out


def script(db):
    statements = []
    pending = None
    for rec in records(sys.stdin.read()):
        if f"@{db} " not in rec:
            continue
        body = rec.split(" LOG:  ", 1)[1] if " LOG:  " in rec else None
        if body is not None:
            if pending is not None:
                statements.append(pending)
                pending = None
            m = re.match(r"(?s)(?:statement|execute [^:]*): (.*)", body)
            if m:
                pending = m.group(1)
            continue
        m = re.search(r"(?s) DETAIL:  parameters: (.*)", rec)
        if m and pending is not None:
            params = dict(re.findall(r"\$(\d+) = ((?:'(?:[^']|'')*')|NULL)", m.group(1)))
            pending = re.sub(r"\$(\d+)\b", lambda p: params.get(p.group(1), p.group(0)), pending)
            statements.append(pending)
            pending = None
    if pending is not None:
        statements.append(pending)
    statements = [" ".join(s.split()) for s in statements]
    # The webhook worker polls every second on the same database (`push::worker`: the feed's
    # head, then the subscriptions to claim); its statements land in the capture window at
    # random and are no part of the request (runs up to 7 counted them in E2-E4's limit).
    statements = [s for s in statements if not BACKGROUND.match(s)]
    # Ids this request created: fresh per transaction.
    fresh = []
    for s in statements:
        m = re.match(r'INSERT INTO "(incidents|audit_events)" \([^)]*\) VALUES \(\'(' + UUID + r")'", s)
        if m and m.group(2) not in fresh:
            fresh.append(m.group(2))
    lines = [f"\\set r{n} random(1, 999999999999)" for n in range(len(fresh))]
    for s in statements:
        for n, uid in enumerate(fresh):
            expr = f"('00000000-0000-4000-8000-' || lpad(:r{n}::text, 12, '0'))"
            s = s.replace(f"'{{{uid}}}'", f"ARRAY[{expr}]").replace(f"'{uid}'", expr)
        s = re.sub(
            r'^(INSERT INTO "changes" \("seq",[^)]*\) VALUES \()\'?\d+\'?',
            r"\1(SELECT seq FROM change_head WHERE id = 1)",
            s,
        )
        lines.append(s + ";")
    print("\n".join(lines))


def percentiles(files):
    values = []
    for name in files:
        with open(name) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3:
                    values.append(int(parts[2]) / 1000.0)
    values.sort()
    if not values:
        print("- -")
        return
    pick = lambda q: values[min(len(values) - 1, int(q * len(values)))]
    print(f"{pick(0.50):.2f} {pick(0.99):.2f}")


def wrk():
    """requests/s, p50 and p99 (ms) and errors (non-2xx, socket errors) of wrk --latency output."""
    text = sys.stdin.read()
    unit = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}

    def ms(label):
        m = re.search(rf"^\s*{label}\s+([0-9.]+)(us|ms|s|m)\s*$", text, re.M)
        return float(m.group(1)) * unit[m.group(2)] if m else float("nan")

    rps = re.search(r"Requests/sec:\s+([0-9.]+)", text)
    requests = re.search(r"(\d+) requests in", text)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(int(x) for x in sock.groups()) if sock else 0)
    print(json.dumps({"rps": float(rps.group(1)) if rps else 0.0, "requests": int(requests.group(1)) if requests else 0,
                      "p50": ms("50%"), "p99": ms("99%"), "errors": errors}))


def table(path):
    rows = [json.loads(line) for line in open(path)]
    keys = []
    for r in rows:
        k = (r["request"], r["connections"])
        if k not in keys:
            keys.append(k)
    med = lambda xs: statistics.median(xs) if xs else float("nan")
    print("| request | conns | sro-api req/s | pgbench tx/s | ratio | sro p50 / p99 ms | pgbench p50 / p99 ms "
          "| errors | server CPU µs/req | PostgreSQL CPU µs/req (sro / pgbench) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for req, conns in keys:
        rs = [r for r in rows if (r["request"], r["connections"]) == (req, conns)]
        ratios = [r["rps"] / r["tps"] for r in rs if r["tps"]]
        print(
            f"| {req} | {conns} | {med([r['rps'] for r in rs]):,.0f} | {med([r['tps'] for r in rs]):,.0f} "
            f"| **{med(ratios):.2f}** ({', '.join(f'{x:.2f}' for x in ratios)}) "
            f"| {med([r['p50'] for r in rs]):.2f} / {med([r['p99'] for r in rs]):.2f} "
            f"| {med([r['pg_p50'] for r in rs]):.2f} / {med([r['pg_p99'] for r in rs]):.2f} "
            f"| {sum(r['errors'] for r in rs)} | {med([r['server_us'] for r in rs]):,.0f} "
            f"| {med([r['pg_us'] for r in rs]):,.0f} / {med([r['pgbench_pg_us'] for r in rs]):,.0f} |"
        )


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "script":
        script(sys.argv[2])
    elif cmd == "percentiles":
        percentiles(sys.argv[2:])
    elif cmd == "wrk":
        wrk()
    elif cmd == "table":
        table(sys.argv[2])
    else:
        sys.exit(__doc__)
