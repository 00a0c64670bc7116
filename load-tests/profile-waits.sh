#!/usr/bin/env bash
# What the load test's PostgreSQL sessions are doing: samples the wait event of every active
# client session (pgbench's aside) ten times a second for SECONDS (default 60) and prints how
# often each was seen. Start it beside `load-tests/run stampede` once the rush is under way
# (about 40 s after the start), so that it covers the sustained and known-times runs.
# Usage: load-tests/profile-waits.sh [SECONDS]
set -euo pipefail
seconds=${1:-60}
socket=$(ls -dt /tmp/madoguchi-load-*/pg-run 2>/dev/null | head -1)
[ -n "$socket" ] || { echo "no load test's PostgreSQL is running" >&2; exit 1; }
end=$((SECONDS + seconds))
while [ $SECONDS -lt $end ]; do
  psql "postgresql://postgres@/madoguchi?host=$socket" -qtAc \
    "SELECT coalesce(wait_event_type, 'CPU') || ' ' || coalesce(wait_event, '-')
       FROM pg_stat_activity
      WHERE backend_type = 'client backend' AND state <> 'idle'
        AND pid <> pg_backend_pid() AND application_name <> 'pgbench'" 2>/dev/null || true
  sleep 0.1
done | sort | uniq -c | sort -rn | awk '{ n[NR] = $1; w[NR] = $2 " " $3; t += $1 }
  END { print "| wait | samples | share |\n|---|---:|---:|";
        for (i = 1; i <= NR; i++) printf "| %s | %d | %.0f%% |\n", w[i], n[i], 100 * n[i] / t }'
