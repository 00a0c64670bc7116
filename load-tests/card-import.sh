#!/usr/bin/env bash
# The card import benchmark: for each size (default 10,000 and 100,000 rows), a fresh server
# on the embedded default, a generated J-LIS file imported with `madoguchi cards import`, and
# two ceilings on the same cluster in the same run: PostgreSQL's own COPY of the same file
# into a plain table of text columns, and COPY of the same cards, already in the card
# table's types, into a table with the card table's indexes and constraints. Prints rows per
# second, peak memory of the import and both ratios as a Markdown table.
# Usage: load-tests/card-import.sh [ROWS ...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
for tool in python3 psql curl /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install python3 postgresql-client curl time)" >&2; exit 1; }
done
cargo build --release --quiet --manifest-path "$root/Cargo.toml" --bin madoguchi
bin="$root/target/release/madoguchi"
work=$(mktemp -d)
chmod 755 "$work"
server=""
cleanup() { [ -z "$server" ] || { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; }; rm -rf "$work"; }
trap cleanup EXIT

echo "| rows | file MB | import s | import rows/s | import peak RSS MB | plain COPY s | import ÷ plain COPY | indexed COPY s | import ÷ indexed COPY | at least 100,000 rows/s | within 3× of indexed COPY |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"
for rows in "${sizes[@]}"; do
  var="$work/var-$rows"
  mkdir -p "$var"
  chmod 755 "$var"
  python3 "$root/load-tests/generate_cards.py" "$rows" "$work/cards-$rows.csv"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  MADOGUCHI_VAR_DIR="$var" MADOGUCHI_BIND="127.0.0.1:$port" MADOGUCHI_DEMO_DATA="$root/../shared/data" \
    RUST_LOG=warn "$bin" serve >"$work/serve-$rows.log" 2>&1 &
  server=$!
  until curl -sf "http://127.0.0.1:$port/health" >/dev/null; do
    kill -0 "$server" 2>/dev/null || { cat "$work/serve-$rows.log" >&2; exit 1; }
    sleep 0.5
  done
  url="postgresql://postgres@/madoguchi?host=$var/pg-run"
  import=$( { DATABASE_URL="$url" RUST_LOG=error /usr/bin/time -f "%e %M" \
    "$bin" cards import --tenant demo "$work/cards-$rows.csv" >"$work/import-$rows.log"; } 2>&1 | tail -1)
  grep -q "$rows new" "$work/import-$rows.log" || { cat "$work/import-$rows.log" >&2; exit 1; }
  psql "$url" -qc "CREATE TABLE bench_copy (application_id text, manufacture_number text,
    reservation_number text, name text, name_kana text, birth_date text, location_code text,
    shipment_number text, manufactured_on text)"
  copy=$( { /usr/bin/time -f "%e" psql "$url" -qc \
    "\\copy bench_copy FROM '$work/cards-$rows.csv' WITH (FORMAT csv, HEADER true)"; } 2>&1 | tail -1)
  copied=$(psql "$url" -qtAc "SELECT count(*) FROM bench_copy")
  [ "$copied" = "$rows" ] || { echo "COPY loaded $copied rows" >&2; exit 1; }
  # The indexed ceiling: the same cards as the card table stores them (ISO dates, the
  # counter's id), for another tenant so that the keys are new, into a copy of the card
  # table with all its indexes, checks and keys.
  psql "$url" -qc "INSERT INTO tenants (code, name) VALUES ('bench', 'bench');
    INSERT INTO locations (tenant_id, code, name, address)
      SELECT t.id, l.code, l.name, l.address FROM locations l, tenants t
       WHERE t.code = 'bench' AND l.tenant_id = (SELECT id FROM tenants WHERE code = 'demo');
    CREATE TABLE bench_cards (LIKE card_records INCLUDING ALL);
    ALTER TABLE bench_cards ADD FOREIGN KEY (tenant_id, location_id) REFERENCES locations (tenant_id, id)"
  psql "$url" -qtAc "SELECT l.code || ',' || l.id || ',' || t.id FROM locations l JOIN tenants t ON t.id = l.tenant_id WHERE t.code = 'bench'" >"$work/bench-locations-$rows.csv"
  python3 - "$work/cards-$rows.csv" "$work/bench-locations-$rows.csv" "$work/typed-$rows.csv" <<'PY'
import csv, sys
source, locations, target = sys.argv[1:4]
where = {code: (location, tenant) for code, location, tenant in csv.reader(open(locations))}
with open(source, encoding="utf-8-sig", newline="") as f, open(target, "w", newline="") as out:
    rows = csv.reader(f)
    next(rows)
    write = csv.writer(out)
    for app, number, reservation, name, kana, birth, place, shipment, made in rows:
        location, tenant = where[place]
        write.writerow([tenant, app, number, reservation or None, name, kana, birth.replace("/", "-"),
                        location, shipment, made.replace("/", "-") or None])
PY
  indexed=$( { /usr/bin/time -f "%e" psql "$url" -qc \
    "\\copy bench_cards (tenant_id, application_id, manufacture_number, reservation_number, name, name_kana, birth_date, location_id, shipment_number, manufactured_on) FROM '$work/typed-$rows.csv' WITH (FORMAT csv)"; } 2>&1 | tail -1)
  loaded=$(psql "$url" -qtAc "SELECT count(*) FROM bench_cards")
  [ "$loaded" = "$rows" ] || { echo "the indexed COPY loaded $loaded rows: $indexed" >&2; exit 1; }
  python3 - "$rows" "$work/cards-$rows.csv" $import $copy $indexed <<'PY'
import os, sys
rows, path = int(sys.argv[1]), sys.argv[2]
seconds, peak_kb, copy_seconds, indexed_seconds = float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
rate, ratio = rows / seconds, seconds / indexed_seconds
verdict = " | ".join("met" if met else "**missed**" for met in (rate >= 100_000, ratio <= 3))
print(f"| {rows:,} | {os.path.getsize(path) / 1e6:.1f} | {seconds:.2f} | {rate:,.0f} | "
      f"{peak_kb / 1024:.0f} | {copy_seconds:.2f} | {seconds / copy_seconds:.1f} | "
      f"{indexed_seconds:.2f} | {ratio:.1f} | {verdict} |")
PY
  kill "$server"
  wait "$server" 2>/dev/null || true
  server=""
done
