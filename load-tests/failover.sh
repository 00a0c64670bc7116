#!/usr/bin/env bash
# Failover under load: etcd, three PostgreSQL 15 nodes under Patroni (synchronous_mode_strict),
# two app servers on a multi-host DATABASE_URL, bookings through both; a third into the run the
# primary's postmaster is killed with SIGKILL. Afterwards, on the new primary: every
# acknowledged booking must be there, no slot over capacity, and the longest time without
# an acknowledged booking is reported. Prints a Markdown report; the last line is the summary.
# Usage: load-tests/failover.sh [--seconds N] [--concurrency N] [--quick]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=45
concurrency=16
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --concurrency) concurrency=$2; shift 2 ;;
    --quick) seconds=20; shift ;;
    *) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0" >&2; exit 2 ;;
  esac
done
began=$(date +%s.%N)
. "$root/load-tests/ha/lib.sh"

read -r etcd_port etcd_peer pg1 pg2 pg3 api1 api2 api3 app1 app2 <<<"$(free_ports 10)"
pg_ports=("$pg1" "$pg2" "$pg3")
api_ports=("$api1" "$api2" "$api3")

# etcd, one member. Debian 12's Patroni depends on python3-etcd, a client of etcd's v2 API,
# which etcd 3.4 serves only when asked to; a Patroni without it would use the etcd3 API.
etcd_v2="" dcs=etcd3
dpkg -s patroni | grep -q 'python3-etcd' && { etcd_v2="--enable-v2=true"; dcs=etcd; }
mkdir -p "$work/etcd"
etcd --name dcs --data-dir "$work/etcd" $etcd_v2 \
  --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
  --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
  --initial-cluster "dcs=http://127.0.0.1:$etcd_peer" --initial-cluster-state new \
  --log-level warn >"$work/etcd.log" 2>&1 </dev/null &
etcd_pid=$!
on_exit "stop_pid $etcd_pid 1"
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$etcd_port/health" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$etcd_port/health" >/dev/null || { cat "$work/etcd.log" >&2; exit 1; }

# Patroni: quick failover (ttl 10, loop_wait 1, retry_timeout 4 keeps loop_wait +
# 2 × retry_timeout within ttl), no committed transaction lost (strict synchronous mode), and
# a crashed primary failed over at once instead of restarted in place (primary_start_timeout 0).
for n in 1 2 3; do
  node="$work/node$n"
  mkdir -p "$node"
  chown postgres: "$node"
  cat >"$node/patroni.yml" <<YAML
scope: madoguchi-ha
name: node$n
log:
  level: INFO
restapi:
  listen: 127.0.0.1:${api_ports[n-1]}
  connect_address: 127.0.0.1:${api_ports[n-1]}
$dcs:
  host: 127.0.0.1:$etcd_port
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 1
    retry_timeout: 4
    maximum_lag_on_failover: 1048576
    primary_start_timeout: 0
    synchronous_mode: true
    synchronous_mode_strict: true
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        wal_log_hints: "on"
        max_connections: 100
        max_wal_senders: 10
        max_replication_slots: 10
        wal_keep_size: 256MB
        # A standby that asks the new primary for its slot before Patroni made it retries
        # after this long (default 5s), and strict sync mode holds every commit till then.
        wal_retrieve_retry_interval: 1s
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
    - data-checksums
  pg_hba:
    - local all all trust
    - host replication replicator 127.0.0.1/32 trust
    - host all all 127.0.0.1/32 trust
postgresql:
  listen: 127.0.0.1:${pg_ports[n-1]}
  connect_address: 127.0.0.1:${pg_ports[n-1]}
  data_dir: $node/data
  bin_dir: $pg_bin
  pgpass: $node/pgpass
  authentication:
    superuser:
      username: postgres
      password: failover-test
    replication:
      username: replicator
      password: failover-test
  parameters:
    unix_socket_directories: $node
tags:
  nofailover: false
  noloadbalance: false
  clonefrom: false
  nosync: false
YAML
  chown postgres: "$node/patroni.yml"
done
# A throwaway cluster: Patroni is killed outright (its clean shutdown takes seconds) and
# then each PostgreSQL is stopped immediately, so that Patroni cannot restart it.
stop_patroni() {
  local n
  for n in 1 2 3; do stop_pid "$(cat "$work/node$n/patroni.pid" 2>/dev/null || true)" 0; done
  for n in 1 2 3; do stop_cluster "$work/node$n/data" || true; done
}
on_exit stop_patroni
for n in 1 2 3; do
  spawn_as_pg "$work/node$n/patroni.pid" "$work/node$n/patroni.log" patroni "$work/node$n/patroni.yml"
done

# The cluster as Patroni sees it: "name role state port" per member.
members() {
  local port
  for port in "$@"; do
    curl -sf --max-time 2 "http://127.0.0.1:$port/cluster" 2>/dev/null && return 0
  done
  return 1
}
member_lines() {
  local json
  json=$(members "$@") || return 1
  python3 -c '
import json, sys
for m in json.load(sys.stdin).get("members", []):
    print(m["name"], m.get("role"), m.get("state"), m.get("port"), m.get("timeline", ""))' <<<"$json"
}
# Waits for a running leader and a running sync standby (and optionally every member).
wait_cluster() {
  local limit=$1 want_all=$2
  shift 2
  local start lines
  start=$(date +%s)
  while [ $(($(date +%s) - start)) -lt "$limit" ]; do
    lines=$(member_lines "$@" || true)
    if grep -q ' leader running ' <<<"$lines" && grep -Eq ' sync_standby (running|streaming) ' <<<"$lines"; then
      [ "$want_all" = no ] && return 0
      [ "$(grep -Ec ' (running|streaming) ' <<<"$lines")" -eq 3 ] && return 0
    fi
    sleep 0.5
  done
  echo "cluster not settled after ${limit}s:" >&2
  echo "$lines" >&2
  return 1
}
if ! wait_cluster 120 yes "${api_ports[@]}"; then
  for n in 1 2 3; do tail -n 20 "$work/node$n/patroni.log" >&2; done
  exit 1
fi
bootstrapped=$(now)
leader_line() { member_lines "$@" | awk '$2 == "leader" && $3 == "running"'; }
read -r old_leader _ _ old_port old_tl <<<"$(leader_line "${api_ports[@]}")"
psql_at "$old_port" -d postgres -c "CREATE DATABASE madoguchi"
# libpq goes on to the next host of a multi-host URL when one is down or starting up, but not
# when a host answers "database does not exist": wait until every replica has replayed it.
for port in "${pg_ports[@]}"; do
  for _ in $(seq 100); do psql_at "$port" -d madoguchi -tAc 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.2; done
  psql_at "$port" -d madoguchi -tAc 'SELECT 1' >/dev/null
done

url="postgresql://postgres@127.0.0.1:$pg1,127.0.0.1:$pg2,127.0.0.1:$pg3/madoguchi?target_session_attrs=read-write&connect_timeout=2"
# The first server migrates and seeds alone; the second only starts once it answers.
start_app app1 "$app1" "$url"
wait_app app1 "$app1" 90
start_app app2 "$app2" "$url"
wait_app app2 "$app2" 90
apps_up=$(now)

python3 "$load_py" --base "http://127.0.0.1:$app1" --base "http://127.0.0.1:$app2" \
  --concurrency "$concurrency" --seconds "$seconds" --codes "$work/codes.tsv" \
  --summary "$work/summary.json" --attempts "$work/attempts.jsonl" --quiet >"$work/load.log" 2>&1 &
load_pid=$!
on_exit "stop_pid $load_pid 5"

sleep "$(python3 -c "print($seconds / 3)")"
leader_dir="$work/$old_leader/data"
postmaster=$(head -n 1 "$leader_dir/postmaster.pid")
kill -KILL "$postmaster"
killed=$(now)

# The promotion as Patroni reports it, seen from the survivors' REST APIs.
survivors=()
for n in 1 2 3; do [ "node$n" = "$old_leader" ] || survivors+=("${api_ports[n-1]}"); done
# Polled in one process: starting Python per poll would blur the timing.
read -r new_leader promoted <<<"$(python3 - "$old_leader" "${survivors[@]}" <<'PY'
import json, sys, time, urllib.request
old, ports = sys.argv[1], sys.argv[2:]
deadline = time.time() + 60
while time.time() < deadline:
    for port in ports:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/cluster", timeout=1) as answer:
                members = json.load(answer)["members"]
        except (OSError, ValueError):
            continue
        for m in members:
            if m["role"] == "leader" and m["state"] == "running" and m["name"] != old:
                print(m["name"], f"{time.time():.3f}")
                sys.exit(0)
        break
    time.sleep(0.1)
print("none", "")
PY
)"
[ "$new_leader" != none ] || { new_leader="" promoted=""; }

load_status=0
wait "$load_pid" || load_status=$?
[ "$load_status" -eq 0 ] || { echo "load.py failed:" >&2; cat "$work/load.log" >&2; exit 1; }

# Settled: a running leader and a sync standby; then, for the report, the old primary back.
settle_from=$(now)
wait_cluster 60 no "${api_ports[@]}" || true
read -r final_leader _ _ final_port final_tl <<<"$(leader_line "${api_ports[@]}")"
[ -n "$final_port" ] || { echo "no leader after the failover" >&2; exit 1; }
rejoined=no
for _ in $(seq 40); do
  member_lines "${api_ports[@]}" | grep -Eq "^$old_leader (replica|sync_standby) (running|streaming)" && { rejoined=yes; break; }
  sleep 0.5
done
settled=$(now)

checks=$(psql_at "$final_port" -d madoguchi -tA -F ' ' -f - <<SQL
CREATE TEMP TABLE acked (code text, at double precision, base text);
\copy acked FROM '$work/codes.tsv'
WITH places AS (
  SELECT slot_id, sum(party_size) AS n, sum(party_size) FILTER (WHERE channel = 'web') AS web
    FROM bookings WHERE status <> 'cancelled' GROUP BY slot_id)
SELECT (SELECT count(*) FROM acked),
       (SELECT count(*) FROM acked a WHERE NOT EXISTS (SELECT 1 FROM bookings b WHERE b.code = a.code)),
       count(*) FILTER (WHERE coalesce(p.n, 0) > s.capacity OR s.booked > s.capacity),
       count(*) FILTER (WHERE coalesce(p.n, 0) <> s.booked),
       count(*) FILTER (WHERE coalesce(p.web, 0) > s.web_capacity),
       count(*) FILTER (WHERE p.n IS NOT NULL AND p.n >= s.web_capacity),
       (SELECT count(*) FROM bookings b WHERE b.contact_email LIKE '%@load.example'
           AND NOT EXISTS (SELECT 1 FROM acked a WHERE a.code = b.code))
  FROM slots s LEFT JOIN places p ON p.slot_id = s.id;
SQL
)
read -r acked lost over drift web_over full_slots unacked <<<"$checks"

# S: the longest time writes stood still around the kill: from a failed request's answer to
# the next 201, or between two 201s in a row (commits that hang fail nothing), whichever is
# longer. Answers to requests sent before the kill may still arrive just after it.
read -r gap_fail gap_201 gap resumed first_fail per_server <<<"$(python3 - "$work/attempts.jsonl" "$killed" "$app1" "$app2" <<'PY'
import bisect, json, sys
killed = float(sys.argv[2])
ok, bad = [], []
# Each server's first 201 to a request sent after the kill: its pool found the new primary.
first_ok = {f"app{n}": None for n in (1, 2)}
names = {f"http://127.0.0.1:{sys.argv[3]}": "app1", f"http://127.0.0.1:{sys.argv[4]}": "app2"}
for line in open(sys.argv[1]):
    a = json.loads(line)
    name = names[a["base"]]
    if a["outcome"] == "201" and a["start"] > killed:
        first_ok[name] = min(first_ok[name] or a["end"], a["end"])
    if a["outcome"] == "201":
        ok.append(a["end"])
    elif a["outcome"][:1] != "4" and not a["outcome"].startswith("stale"):
        bad.append(a["end"])
ok.sort()
gap_fail, resumed = 0.0, bool(ok) and ok[-1] > killed
for f in bad:
    i = bisect.bisect_right(ok, f)
    if i == len(ok):
        resumed = False
        continue
    gap_fail = max(gap_fail, ok[i] - f)
gap_201 = max((b - a for a, b in zip(ok, ok[1:]) if b > killed and a < killed + 60), default=0.0)
first_fail = min((f for f in bad if f >= killed), default=None)
print(f"{gap_fail:.1f} {gap_201:.1f} {max(gap_fail, gap_201):.1f} {'yes' if resumed else 'no'}",
      f"{first_fail - killed:.1f}" if first_fail is not None else "-",
      ", ".join(f"{k} {v - killed:.1f} s" if v else f"{k} never" for k, v in first_ok.items()))
PY
)"

ended=$(now)
load_figures "$work/summary.json" f
cat <<REPORT
$(nproc) cores: etcd $(etcd --version | awk 'NR==1{print $3}'), Patroni $(patroni --version | awk '{print $2}'), PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}'); ${seconds} s of bookings, ${concurrency} clients alternating between two app servers; the leader's postmaster killed with SIGKILL at $(elapsed "$f_started" "$killed") s.

| | |
|---|---:|
| booking requests (201 / 409 / failed after retries) | $f_requests ($f_ok / $f_conflicts / $f_failed) |
| requests that needed a retry | $f_retried |
| attempts with no answer or a 5xx | $f_failed_attempts |
| first failed answer after the kill | ${first_fail} s |
| new leader running (Patroni) | ${new_leader:-none} after $( [ -n "$promoted" ] && elapsed "$killed" "$promoted" || echo "–") s, timeline ${old_tl} → ${final_tl:-?} |
| first 201 to a request sent after the kill, per server | ${per_server} |
| longest from a failed request to the next 201 | ${gap_fail} s |
| longest between two 201s after the kill | ${gap_201} s |
| acknowledged bookings / missing on the new primary | ${acked} / ${lost} |
| committed but never acknowledged (answer lost, retry refused) | ${unacked} |
| slots over capacity / counter ≠ bookings / web over web capacity | ${over} / ${drift} / ${web_over} |
| old primary back as a replica | ${rejoined} |
| bookings per second (whole run) | $f_per_s |
| wall time: cluster up / apps up / settled after load / total | $(elapsed "$began" "$bootstrapped") / $(elapsed "$bootstrapped" "$apps_up") / $(elapsed "$settle_from" "$settled") / $(elapsed "$began" "$ended") s |

Attempt outcomes: $f_outcomes.

App server warnings and errors (app1, then app2):

\`\`\`
$(app_log_digest "$work/app1.log")
$(app_log_digest "$work/app2.log")
\`\`\`

failover: ${acked} acknowledged, ${lost} lost, ${over} over capacity, writes resumed after ${gap} s
REPORT
[ "$resumed" = yes ] || echo "writes did not resume before the load ended" >&2
# The goal: nothing acknowledged lost, no slot over capacity, writes back within 30 s.
python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) < 30 else 1)' "$gap" \
  && [ "$lost" = 0 ] && [ "$over" = 0 ] && [ "$resumed" = yes ] \
  || { echo "failover: the goal (0 lost, 0 over capacity, writes back within 30 s) was not met" >&2; exit 1; }
