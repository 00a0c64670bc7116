#!/usr/bin/env bash
# Point-in-time restore: one PostgreSQL 15 cluster archiving its WAL with pgBackRest, a full
# backup, an app server booking on it; a moment T is noted between two bursts of bookings.
# The cluster is restored to T into a fresh data directory and started on another port; it
# must hold exactly the bookings created before T. Prints a Markdown report; the last line is
# the summary. Usage: load-tests/restore.sh [--seconds N] [--concurrency N]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=8
concurrency=16
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --concurrency) concurrency=$2; shift 2 ;;
    *) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0" >&2; exit 2 ;;
  esac
done
began=$(date +%s.%N)
. "$root/load-tests/ha/lib.sh"

read -r pg_port restored_port app_port <<<"$(free_ports 3)"
conf="$work/pgbackrest.conf"
for dir in repo log lock spool; do install -d -o postgres -g postgres -m 750 "$work/backrest-$dir"; done
# A configuration of its own (passed with --config everywhere) so that nothing touches the
# machine's /etc/pgbackrest.conf or /var/lib/pgbackrest.
cat >"$conf" <<CONF
[global]
repo1-path=$work/backrest-repo
repo1-retention-full=2
start-fast=y
log-path=$work/backrest-log
lock-path=$work/backrest-lock
spool-path=$work/backrest-spool
log-level-console=warn
log-level-file=info
compress-type=lz4
process-max=2

[madoguchi]
pg1-path=$work/pg
pg1-port=$pg_port
pg1-socket-path=$work
pg1-user=postgres
CONF
chown postgres: "$conf"
backrest() { as_pg pgbackrest --config="$conf" --stanza=madoguchi "$@"; }

init_cluster "$work/pg"
start_cluster "$work/pg" "$pg_port" -c wal_level=replica -c archive_mode=on \
  -c "archive_command='pgbackrest --config=$conf --stanza=madoguchi archive-push %p'"
on_exit "stop_cluster '$work/pg'"
backrest stanza-create
backrest check
t0=$(now)
backrest --type=full backup
backup_s=$(elapsed "$t0" "$(now)")

# The database and the demo city come after the backup, so that the restore has to replay
# them from the archived WAL as well.
psql_at "$pg_port" -d postgres -c "CREATE DATABASE madoguchi"
start_app app "$app_port" "postgresql://postgres@127.0.0.1:$pg_port/madoguchi"
wait_app app "$app_port" 90

load() {
  python3 "$load_py" --base "http://127.0.0.1:$app_port" --concurrency "$concurrency" \
    --seconds "$seconds" --codes "$work/codes-$1.tsv" --summary "$work/summary-$1.json" --quiet
}
load before
# T: the database's own clock once every answer of the first burst is in (load.py returns
# only then), so that no booking is in flight across it.
target=$(psql_at "$pg_port" -d madoguchi -tAc \
  "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")
sleep 1
load after
stop_pid "$(cat "$work/app.pid")" 30

# Every WAL segment up to now in the repository before anything is restored.
psql_at "$pg_port" -d postgres -tAc "SELECT pg_switch_wal()" >/dev/null
backrest check
# What the operator sees of the same repository (exit status 1 would mean trouble).
backup_status=$(as_pg env DATABASE_URL="postgresql://postgres@127.0.0.1:$pg_port/madoguchi" \
  RUST_LOG=error "$bin" backup status --config "$conf" 2>&1) \
  || { echo "madoguchi backup status failed: $backup_status" >&2; exit 1; }
read -r before after <<<"$(psql_at "$pg_port" -d madoguchi -tA -F ' ' -c \
  "SELECT count(*) FILTER (WHERE created_at < '$target'), count(*) FILTER (WHERE created_at >= '$target') FROM bookings")"
psql_at "$pg_port" -d madoguchi -c \
  "\\copy (SELECT code FROM bookings WHERE created_at < '$target' ORDER BY code) TO '$work/before.txt'"
# Every booking acknowledged in the first burst must be among them.
acked_missing=$(python3 - "$work/codes-before.tsv" "$work/before.txt" <<'PY'
import sys
acked = {line.split("\t")[0] for line in open(sys.argv[1]) if line.strip()}
stored = {line.strip() for line in open(sys.argv[2]) if line.strip()}
print(len(acked - stored))
PY
)

# The restore: a fresh data directory, archiving off (this copy must not push WAL into the
# original's repository), promoted once T is reached, then started on a port of its own.
install -d -o postgres -g postgres -m 700 "$work/restored"
t0=$(now)
backrest --pg1-path="$work/restored" --type=time "--target=$target" --target-action=promote \
  --archive-mode=off restore
restored_files=$(now)
start_cluster "$work/restored" "$restored_port"
on_exit "stop_cluster '$work/restored'"
until [ "$(psql_at "$restored_port" -d madoguchi -tAc 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ]; do
  sleep 0.1
done
answered=$(now)
took=$(elapsed "$t0" "$answered")

read -r restored extra missing <<<"$(psql_at "$restored_port" -d madoguchi -tA -F ' ' -f - <<SQL
CREATE TEMP TABLE before_t (code text PRIMARY KEY);
\\copy before_t FROM '$work/before.txt'
SELECT (SELECT count(*) FROM bookings),
       (SELECT count(*) FROM bookings b WHERE NOT EXISTS (SELECT 1 FROM before_t t WHERE t.code = b.code)),
       (SELECT count(*) FROM before_t t WHERE NOT EXISTS (SELECT 1 FROM bookings b WHERE b.code = t.code));
SQL
)"
# The restored copy must also be consistent in itself: slot counters against bookings.
drift=$(psql_at "$restored_port" -d madoguchi -tAc "
  SELECT count(*) FROM slots s LEFT JOIN (SELECT slot_id, sum(party_size) AS n FROM bookings
   WHERE status <> 'cancelled' GROUP BY slot_id) p ON p.slot_id = s.id
   WHERE coalesce(p.n, 0) <> s.booked OR coalesce(p.n, 0) > s.capacity")
recovery_log=$(grep -hE 'recovery stopping|selected new timeline|archive recovery complete|consistent recovery state' "$work/restored.log" | sed 's/^[^]]*] //' | head -5)
backup_info=$(backrest --output=json info | python3 -c '
import json, sys
info = json.load(sys.stdin)[0]["backup"][-1]["info"]
size, stored = info["size"] / 1e6, info["repository"]["delta"] / 1e6
print(f"{size:.0f} MB database, {stored:.1f} MB in the repository")')
ended=$(now)
load_figures "$work/summary-before.json" first
load_figures "$work/summary-after.json" second

cat <<REPORT
$(nproc) cores: pgBackRest $(pgbackrest version | awk '{print $2}'), PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}'). Full backup before the database existed (${backup_info}, ${backup_s} s); then ${seconds} s of bookings, T = ${target}, 1 s, ${seconds} s more.

| | |
|---|---:|
| acknowledged before T / after T | $first_acknowledged / $second_acknowledged |
| bookings in the original created before T / at or after T | ${before} / ${after} |
| acknowledged before T but not stored before T | ${acked_missing} |
| bookings in the restored cluster | ${restored} |
| restored but not before T (extra) / before T but not restored (missing) | ${extra} / ${missing} |
| slots whose counter or capacity disagrees with the restored bookings | ${drift} |
| restore of the files / until the promoted copy answers | $(elapsed "$t0" "$restored_files") / ${took} s |
| wall time, whole script | $(elapsed "$began" "$ended") s |

\`madoguchi backup status\` before the restore:

\`\`\`
${backup_status}
\`\`\`

The restored server's log:

\`\`\`
${recovery_log}
\`\`\`

restore: ${before} before T, ${after} after T, restored ${restored}, extra ${extra}, missing ${missing}, took ${took} s
REPORT
[ "$extra" = 0 ] && [ "$missing" = 0 ] && [ "$restored" = "$before" ] \
  || { echo "restore: the goal (exactly the bookings before T) was not met" >&2; exit 1; }
