#!/usr/bin/env bash
# The reports benchmark: a fresh server on the embedded default, a large city written straight
# into its database (40 counters, a fiscal year of slots, 500,000 bookings with their history:
# moves, cancellations by residents and staff, check-ins, no-shows, web and phone), then an
# administrator asks for the fiscal year's report over HTTP, five times each way. Prints the
# median and slowest answer times as a Markdown table. Usage: load-tests/reports.sh [BOOKINGS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bookings=${1:-500000}
for tool in python3 psql curl; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install python3 postgresql-client curl)" >&2; exit 1; }
done
cargo build --release --quiet --manifest-path "$root/Cargo.toml" --bin madoguchi
bin="$root/target/release/madoguchi"
work=$(mktemp -d)
chmod 755 "$work"
server=""
cleanup() { [ -z "$server" ] || { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; }; rm -rf "$work"; }
trap cleanup EXIT

var="$work/var"
mkdir -p "$var"
chmod 755 "$var"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
MADOGUCHI_VAR_DIR="$var" MADOGUCHI_BIND="127.0.0.1:$port" MADOGUCHI_DEMO_DATA="$root/../shared/data" \
  RUST_LOG=warn "$bin" serve >"$work/serve.log" 2>&1 &
server=$!
until curl -sf "http://127.0.0.1:$port/health" >/dev/null; do
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.5
done
url="postgresql://postgres@/madoguchi?host=$var/pg-run"

# The city: 40 counters, each with one lane for four procedures.
python3 - "$work/bigcity.toml" <<'PY'
import sys
lines = ['code = "bigcity"', 'name = "統計市"', "[rules]",
         "closed_on_national_holidays = false", "closed_over_new_year = false"]
for code, name in [("apply", "申請"), ("pickup", "交付"), ("renew", "電子証明書更新"), ("pin", "暗証番号再設定")]:
    lines += ["[[procedures]]", f'code = "{code}"', f'name_ja = "{name}"']
for n in range(1, 41):
    lines += ["[[locations]]", f'code = "c{n:02}"', f'name = "第{n}窓口"',
              "[[locations.lanes]]", 'code = "desk"', 'procedures = ["apply", "pickup", "renew", "pin"]',
              "[[locations.lanes.timetables]]", "effective_from = 2020-01-01", "slot_minutes = 30",
              "capacity = 8", "[locations.lanes.timetables.hours]", 'weekdays = ["09:00-17:00"]']
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY
DATABASE_URL="$url" RUST_LOG=error "$bin" tenant apply "$work/bigcity.toml" >/dev/null
DATABASE_URL="$url" RUST_LOG=error MADOGUCHI_STAFF_PASSWORD='Report#Bench2026' \
  "$bin" staff create --tenant bigcity --login bench --role admin >/dev/null

# Fiscal year 2025 (1 April 2025 – 31 March 2026): 16 half-hour slots a day at each counter,
# then the bookings spread over them with their history.
psql "$url" -q -v ON_ERROR_STOP=1 -v bookings="$bookings" <<'SQL'
\set ECHO none
CREATE TEMP TABLE city AS SELECT id FROM tenants WHERE code = 'bigcity';
INSERT INTO slots (tenant_id, location_id, lane_id, starts_at, ends_at, capacity, web_capacity)
SELECT l.tenant_id, l.location_id, l.id,
       (d + time '09:00' + i * interval '30 minutes') AT TIME ZONE 'Asia/Tokyo',
       (d + time '09:30' + i * interval '30 minutes') AT TIME ZONE 'Asia/Tokyo', 8, 6
  FROM lanes l, generate_series(date '2025-04-01', date '2026-03-31', interval '1 day') d,
       generate_series(0, 15) i
 WHERE l.tenant_id = (SELECT id FROM city)
ON CONFLICT DO NOTHING;
CREATE TEMP TABLE fy_slots AS
SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, starts_at FROM slots
 WHERE tenant_id = (SELECT id FROM city) AND starts_at < '2026-04-01';
CREATE TEMP TABLE picks AS
SELECT g, s.id AS slot_id, s.starts_at,
       s.starts_at - ((g % 30) + 1) * interval '1 day' AS created_at
  FROM generate_series(1::bigint, :bookings) g
  JOIN fy_slots s ON s.n = (g * 7919) % (SELECT count(*) FROM fy_slots);
INSERT INTO bookings (tenant_id, code, slot_id, procedure_id, status, channel, party_size,
                      contact_email, created_at, updated_at, cancelled_at)
SELECT (SELECT id FROM city),
       (SELECT string_agg(substr('23456789ABCDEFGHJKMNPQRSTUVWXYZ',
                                 ((p.g + 1000000) / (31 ^ k)::bigint % 31)::int + 1, 1), '' ORDER BY k)
          FROM generate_series(0, 8) k),
       p.slot_id,
       (SELECT id FROM procedures WHERE tenant_id = (SELECT id FROM city)
         ORDER BY id OFFSET (p.g % 4) LIMIT 1),
       CASE WHEN p.g % 20 < 2 THEN 'cancelled' WHEN p.g % 20 = 2 THEN 'no_show'
            WHEN p.g % 20 < 15 THEN 'completed' WHEN p.g % 20 < 17 THEN 'checked_in'
            ELSE 'booked' END,
       CASE WHEN p.g % 4 = 0 THEN 'phone' ELSE 'web' END, 1,
       'r' || p.g || '@example.jp', p.created_at, p.created_at,
       CASE WHEN p.g % 20 < 2 THEN p.created_at + interval '1 day' END
  FROM picks p;
INSERT INTO booking_events (tenant_id, booking_id, kind, actor, channel, created_at)
SELECT b.tenant_id, b.id, 'created', CASE WHEN b.channel = 'phone' THEN 'staff:bench' ELSE 'resident' END,
       b.channel, b.created_at
  FROM bookings b WHERE b.tenant_id = (SELECT id FROM city);
INSERT INTO booking_events (tenant_id, booking_id, kind, actor, channel, created_at)
SELECT b.tenant_id, b.id, 'moved', 'resident', 'web', b.created_at + interval '1 hour'
  FROM bookings b WHERE b.tenant_id = (SELECT id FROM city) AND b.id % 10 = 5;
INSERT INTO booking_events (tenant_id, booking_id, kind, actor, channel, created_at)
SELECT b.tenant_id, b.id, 'cancelled', CASE WHEN b.id % 2 = 0 THEN 'resident' ELSE 'staff:bench' END,
       'web', b.cancelled_at
  FROM bookings b WHERE b.tenant_id = (SELECT id FROM city) AND b.status = 'cancelled';
UPDATE slots s SET booked = c.n
  FROM (SELECT slot_id, sum(party_size) AS n FROM bookings
         WHERE tenant_id = (SELECT id FROM city) AND status <> 'cancelled' GROUP BY slot_id) c
 WHERE s.id = c.slot_id;
ANALYZE;
SQL
counts=$(psql "$url" -qtAc "SELECT (SELECT count(*) FROM bookings b JOIN tenants t ON t.id = b.tenant_id WHERE t.code = 'bigcity')
  || ' bookings, ' || (SELECT count(*) FROM booking_events e JOIN tenants t ON t.id = e.tenant_id WHERE t.code = 'bigcity')
  || ' history rows, ' || (SELECT count(*) FROM slots s JOIN tenants t ON t.id = s.tenant_id WHERE t.code = 'bigcity') || ' slots'")

python3 - "http://127.0.0.1:$port" "$counts" <<'PY'
import http.cookiejar, re, statistics, sys, time, urllib.parse, urllib.request
base, counts = sys.argv[1], sys.argv[2]
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
page = opener.open(f"{base}/bigcity/staff/login").read().decode()
csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
form = urllib.parse.urlencode({"csrf": csrf, "login": "bench", "password": "Report#Bench2026"}).encode()
opener.open(f"{base}/bigcity/staff/login", form).read()
fy = "from=2025-04-01&to=2026-03-31"
asks = [
    ("page, by month", f"/bigcity/staff/reports?{fy}&by=month"),
    ("reports.csv, by fiscal year", f"/bigcity/staff/reports.csv?{fy}&by=fiscal_year"),
    ("reports.csv, by month", f"/bigcity/staff/reports.csv?{fy}&by=month"),
    ("reports.csv, by day", f"/bigcity/staff/reports.csv?{fy}&by=day"),
    ("reports.xlsx, by month", f"/bigcity/staff/reports.xlsx?{fy}&by=month"),
    ("page, one counter by day", f"/bigcity/staff/reports?{fy}&by=day&location=c07"),
]
print(f"City: 40 counters, {counts}; fiscal year 2025 (1 April 2025 – 31 March 2026).\n")
print("| request | rows | median s | slowest s |")
print("|---|---:|---:|---:|")
for name, path in asks:
    times, body = [], b""
    for _ in range(5):
        start = time.perf_counter()
        with opener.open(base + path) as answer:
            assert answer.status == 200, (path, answer.status)
            body = answer.read()
        times.append(time.perf_counter() - start)
    rows = body.count(b"\n") - 1 if ".csv" in path else "–"
    print(f"| {name} | {rows} | {statistics.median(times):.2f} | {max(times):.2f} |")
PY
