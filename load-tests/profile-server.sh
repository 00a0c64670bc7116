#!/usr/bin/env bash
# Where the server spends its processor time under load: runs a scenario of `madoguchi-load`
# (default browse; its report is not written into the docs) and samples the server process
# with `perf record` (software clock, 499 Hz, as root) for SECONDS (default 15) once the
# scenario is under way; prints the functions with the most samples of their own as a
# Markdown table. Needs Debian's linux-perf.
# Usage: load-tests/profile-server.sh [SCENARIO] [SECONDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
scenario=${1:-browse}
seconds=${2:-15}
"$root/scripts/ensure-packages" linux-perf
cargo build --release --quiet --manifest-path "$root/Cargo.toml" --bin madoguchi --bin madoguchi-load
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$root/target/release/madoguchi-load" "$scenario" --seconds $((seconds + 15)) >"$work/load.log" 2>&1 &
load=$!
# The scenario's own server, once it answers and the virtual residents have started.
server=""
for _ in $(seq 1 240); do
  server=$(pgrep -n -f "target/release/madoguchi serve" || true)
  [ -n "$server" ] && grep -q . "$work/load.log" 2>/dev/null && break
  [ -n "$server" ] && sleep 10 && break
  sleep 0.5
done
[ -n "$server" ] || { echo "the scenario's server did not start" >&2; cat "$work/load.log" >&2; exit 1; }
perf record -q -e cpu-clock -F 499 -p "$server" -o "$work/perf.data" -- sleep "$seconds" 2>/dev/null
wait "$load" || { cat "$work/load.log" >&2; exit 1; }
echo "| share of the server's samples | function |"
echo "|---:|---|"
perf report -i "$work/perf.data" --no-children --sort symbol --stdio 2>/dev/null \
  | grep -E '^ +[0-9.]+%' | head -25 \
  | sed -E 's/[ -]+$//; s/^ +([0-9.]+%) +\[([.k])\] +(.*)$/| \1 | `\3` |/'
