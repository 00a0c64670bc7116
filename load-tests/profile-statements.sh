#!/usr/bin/env bash
# The statements of a booking request, as PostgreSQL counts them: a fresh server on the
# embedded default with pg_stat_statements loaded, then every card of the demo city booked
# for a known time through the JSON interface (one request each: slot, card number, birth
# date, e-mail address), one after another. Prints, per booking, how many statements ran and
# how long PostgreSQL spent planning and executing each kind, as a Markdown table.
# With CLIENTS, that many requests at a time instead (the same bookings, so that the two
# tables show what concurrency adds to each statement).
# Usage: load-tests/profile-statements.sh [CLIENTS]
set -euo pipefail
clients=${1:-1}
root=$(cd "$(dirname "$0")/.." && pwd)
for tool in python3 psql curl; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install python3 postgresql-client curl)" >&2; exit 1; }
done
cargo build --release --quiet --manifest-path "$root/Cargo.toml" --bin madoguchi
bin="$root/target/release/madoguchi"
work=$(mktemp -d)
chmod 755 "$work"
server=""
stop() { [ -z "$server" ] || { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; server=""; }; }
trap 'stop; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start() {
  MADOGUCHI_VAR_DIR="$work" MADOGUCHI_BIND="127.0.0.1:$port" MADOGUCHI_DEMO_DATA="$root/../shared/data" \
    MADOGUCHI_PROOF_CHECKS_PER_MINUTE=1000000 MADOGUCHI_WRITES_PER_MINUTE=1000000 RUST_LOG=warn \
    "$bin" serve >>"$work/serve.log" 2>&1 &
  server=$!
  until curl -sf "http://127.0.0.1:$port/health" >/dev/null; do
    kill -0 "$server" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
    sleep 0.5
  done
}
# The first start creates and seeds the cluster; the second loads the extension.
start
stop
printf "shared_preload_libraries = 'pg_stat_statements'\npg_stat_statements.track = 'all'\npg_stat_statements.track_planning = on\n" \
  >>"$work/pg/postgresql.conf"
start
url="postgresql://postgres@/madoguchi?host=$work/pg-run"
psql "$url" -qc "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"
python3 - "$port" "$root/../shared/data/jlis-cards-sample.utf8.csv" "$url" "$work/booked" "$clients" <<'PY'
import csv, datetime, json, random, subprocess, sys, urllib.request
port, cards, url, result, clients = sys.argv[1:5] + [int(sys.argv[5])]
base = f"http://127.0.0.1:{port}/api/v1/demo"
def call(path, body=None):
    request = urllib.request.Request(base + path, method="POST" if body else "GET",
        data=json.dumps(body).encode() if body else None,
        headers={"content-type": "application/json"})
    with urllib.request.urlopen(request) as answer:
        return answer.status, json.load(answer)
rows = list(csv.reader(open(cards, encoding="utf-8-sig")))[1:]
start = datetime.date.today() + datetime.timedelta(days=7)
to = start + datetime.timedelta(days=40)
free = {}
plan = []
for row in rows:
    number, birth, location = row[2], row[5].replace("/", "-"), row[6]
    if location not in free:
        _, days = call(f"/availability?location={location}&procedure=pickup&from={start}&to={to}")
        free[location] = [s["id"] for s in days["slots"] if s["bookable"] for _ in range(s["remaining"])]
        # Spread over the counter's times, as residents are, rather than filling one by one.
        random.Random(location).shuffle(free[location])
    if free[location]:
        plan.append((free[location].pop(0), number, birth))
subprocess.run(["psql", url, "-qc", "SELECT pg_stat_statements_reset()"], check=True, capture_output=True)
def book(planned):
    slot, number, birth = planned
    status, _ = call("/bookings", {"procedure": "pickup", "slot_id": slot,
        "members": [{"number": number, "birth_date": birth}],
        "contact": {"email": "profile@example.jp"}})
    return status == 201
import concurrent.futures
with concurrent.futures.ThreadPoolExecutor(max_workers=clients) as pool:
    booked = sum(pool.map(book, plan))
with open(result, "w") as f:
    f.write(str(booked))
PY
booked=$(cat "$work/booked")
[ "$booked" -gt 0 ] || { echo "no booking was made" >&2; exit 1; }
echo "$booked bookings, one request each, $clients at a time. Per booking request:"
echo
psql "$url" -qAt -F '|' -c "
  WITH s AS (
    SELECT regexp_replace(left(query, 70), '\s+', ' ', 'g') AS statement,
           calls, total_exec_time, total_plan_time
      FROM pg_stat_statements
     WHERE userid = 'madoguchi_app'::regrole
       AND query NOT LIKE '%pg_stat_statements%'
       AND query NOT LIKE '%mail_outbox SET next_attempt_at%')
  SELECT '| ' || replace(statement, '|', '/') || ' | ' || round(calls::numeric / $booked, 2) || ' | '
         || round((total_plan_time / $booked)::numeric, 3) || ' | '
         || round((total_exec_time / $booked)::numeric, 3) || ' |'
    FROM s ORDER BY total_plan_time + total_exec_time DESC" \
  | { echo "| statement (start) | calls | ms planning | ms executing |"; echo "|---|---:|---:|---:|"; cat; }
psql "$url" -qAt -c "
  SELECT '| all | ' || round(sum(calls)::numeric / $booked, 1) || ' | '
         || round((sum(total_plan_time) / $booked)::numeric, 3) || ' | '
         || round((sum(total_exec_time) / $booked)::numeric, 3) || ' |'
    FROM pg_stat_statements
   WHERE userid = 'madoguchi_app'::regrole
     AND query NOT LIKE '%pg_stat_statements%'
     AND query NOT LIKE '%mail_outbox SET next_attempt_at%'"
