#!/usr/bin/env bash
# The card import benchmark: for each size (default 10,000 and 100,000 rows), a fresh server
# on the embedded default, a generated J-LIS file imported with `madoguchi cards import`, and
# the same file loaded by PostgreSQL's own COPY into a plain table on the same cluster in the
# same run. Prints rows per second, peak memory of the import and the COPY ratio as a
# Markdown table. Usage: load-tests/card-import.sh [ROWS ...]
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

echo "| rows | file MB | import s | import rows/s | import peak RSS MB | COPY s | COPY rows/s | import ÷ COPY time |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
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
  python3 - "$rows" "$work/cards-$rows.csv" $import $copy <<'PY'
import os, sys
rows, path, seconds, peak_kb, copy_seconds = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
print(f"| {rows:,} | {os.path.getsize(path) / 1e6:.1f} | {seconds:.2f} | {rows / seconds:,.0f} | "
      f"{peak_kb / 1024:.0f} | {copy_seconds:.2f} | {rows / copy_seconds:,.0f} | {seconds / copy_seconds:.1f} |")
PY
  kill "$server"
  wait "$server" 2>/dev/null || true
  server=""
done
