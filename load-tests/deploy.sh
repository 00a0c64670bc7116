#!/usr/bin/env bash
# Rolling restart under load: haproxy in front of two app servers on one local PostgreSQL.
# While bookings go through haproxy, each server in turn is drained (haproxy's runtime API),
# stopped with SIGTERM once it has no sessions, started again on the same port, and put back
# once ready. Every request must end in a 201 or a 409. Prints a Markdown report; the last
# line is the summary. Usage: load-tests/deploy.sh [--concurrency N] [--settle SECONDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
concurrency=16
settle=3
while [ $# -gt 0 ]; do
  case "$1" in
    --concurrency) concurrency=$2; shift 2 ;;
    --settle) settle=$2; shift 2 ;;
    *) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0" >&2; exit 2 ;;
  esac
done
began=$(date +%s.%N)
. "$root/load-tests/ha/lib.sh"

read -r pg_port app1 app2 lb_port <<<"$(free_ports 4)"
app_ports=("$app1" "$app2")
init_cluster "$work/pg"
start_cluster "$work/pg" "$pg_port"
on_exit "stop_cluster '$work/pg'"
psql_at "$pg_port" -d postgres -c "CREATE DATABASE madoguchi"
url="postgresql://postgres@127.0.0.1:$pg_port/madoguchi"
# The first server migrates and seeds alone; the second only starts once it answers.
start_app app1 "$app1" "$url"
wait_app app1 "$app1" 90
start_app app2 "$app2" "$url"
wait_app app2 "$app2" 90

# haproxy retries only what cannot have been processed twice in a harmful way (a refused
# connection, an empty answer, a response timeout), and sends a retry to the other server.
cat >"$work/haproxy.cfg" <<CFG
global
  stats socket $work/haproxy.sock mode 600 level admin
  log stderr format short local0 notice
  maxconn 1000

defaults
  mode http
  log global
  option httplog
  option http-server-close
  option redispatch
  retries 3
  retry-on conn-failure empty-response response-timeout
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  timeout http-request 10s
  timeout http-keep-alive 10s

frontend fe
  bind 127.0.0.1:$lb_port
  default_backend be

backend be
  balance roundrobin
  option httpchk GET $health_path
  http-check expect status 200
  default-server inter 500ms fastinter 250ms downinter 250ms fall 2 rise 2
  server app1 127.0.0.1:$app1 check
  server app2 127.0.0.1:$app2 check
CFG
haproxy -c -q -f "$work/haproxy.cfg"
haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 </dev/null &
haproxy_pid=$!
on_exit "stop_pid $haproxy_pid 5"

# haproxy's runtime API over its unix socket (socat may be missing): "cmd COMMAND" runs one
# command; "get SERVER FIELD" prints a "show stat" column of be/SERVER (scur: its sessions);
# "wait SERVER FIELD VALUE SECONDS" polls until it has that value, in one process.
cat >"$work/hactl.py" <<'PY'
import csv, socket, sys, time

def ask(command):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    s.sendall(command.encode() + b"\n")
    out = b""
    while chunk := s.recv(65536):
        out += chunk
    s.close()
    return out.decode()

def get(server, field):
    rows = list(csv.reader(l.lstrip("# ") for l in ask("show stat").splitlines() if l.strip()))
    for row in rows[1:]:
        if row[0] == "be" and row[1] == server:
            return row[rows[0].index(field)]
    return None

what = sys.argv[2]
if what == "cmd":
    sys.stdout.write(ask(sys.argv[3]))
elif what == "get":
    print(get(sys.argv[3], sys.argv[4]))
elif what == "wait":
    server, field, want, limit = sys.argv[3], sys.argv[4], sys.argv[5], float(sys.argv[6])
    deadline = time.time() + limit
    while (seen := get(server, field)) != want:
        if time.time() > deadline:
            sys.exit(f"be/{server}: {field} is {seen}, not {want}, after {limit:.0f}s")
        time.sleep(0.05)
PY
hap() { python3 "$work/hactl.py" "$work/haproxy.sock" "$@"; }
hastat() { hap get "$1" "$2"; }
for _ in $(seq 100); do [ -S "$work/haproxy.sock" ] && break; sleep 0.1; done
hap wait app1 status UP 30
hap wait app2 status UP 30

python3 "$load_py" --base "http://127.0.0.1:$lb_port" --concurrency "$concurrency" --seconds 600 \
  --codes "$work/codes.tsv" --summary "$work/summary.json" --attempts "$work/attempts.jsonl" \
  --quiet >"$work/load.log" 2>&1 &
load_pid=$!
on_exit "stop_pid $load_pid 5"
load_started=$(now)
sleep "$settle"

steps=()
step() { steps+=("| $1 | $2 | $(elapsed "$load_started" "$(now)") |"); }
for n in 1 2; do
  server=app$n port=${app_ports[n-1]}
  hap cmd "set server be/$server state drain" >/dev/null
  step "$server" "drain set"
  hap wait "$server" scur 0 30
  step "$server" "no sessions left"
  stop_pid "$(cat "$work/$server.pid")" 30
  step "$server" "stopped (SIGTERM)"
  start_app "$server" "$port" "$url"
  wait_app "$server" "$port" 60
  step "$server" "started, $health_path 200"
  hap cmd "set server be/$server state ready" >/dev/null
  hap wait "$server" status UP 30
  step "$server" "ready, UP in haproxy"
  sleep "$settle"
done
kill -TERM "$load_pid"
load_status=0
wait "$load_pid" || load_status=$?
[ "$load_status" -eq 0 ] || { echo "load.py failed:" >&2; cat "$work/load.log" >&2; exit 1; }

over=$(psql_at "$pg_port" -d madoguchi -tAc "
  SELECT count(*) FROM slots s LEFT JOIN (SELECT slot_id, sum(party_size) AS n FROM bookings
   WHERE status <> 'cancelled' GROUP BY slot_id) p ON p.slot_id = s.id
   WHERE coalesce(p.n, 0) > s.capacity OR s.booked > s.capacity OR coalesce(p.n, 0) <> s.booked")
lost=$(psql_at "$pg_port" -d madoguchi -tA -f - <<SQL
CREATE TEMP TABLE acked (code text, at double precision, base text);
\\copy acked FROM '$work/codes.tsv'
SELECT count(*) FROM acked a WHERE NOT EXISTS (SELECT 1 FROM bookings b WHERE b.code = a.code);
SQL
)
load_figures "$work/summary.json" f
ended=$(now)
cat <<REPORT
$(nproc) cores: haproxy $(haproxy -v | awk 'NR==1{print $3}'), PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}'); ${concurrency} clients booking through haproxy for $f_seconds s, health check GET ${health_path}.

| server | step | s into the load |
|---|---|---:|
$(printf '%s\n' "${steps[@]}")

| | |
|---|---:|
| booking requests (201 / 409 / failed) | ${f_requests} ($f_ok / $f_conflicts / ${f_failed}) |
| attempts the client had to repeat (no answer or 5xx through haproxy) | $f_failed_attempts |
| haproxy retries / redispatches (app1, app2) | $(hastat app1 wretr) / $(hastat app1 wredis), $(hastat app2 wretr) / $(hastat app2 wredis) |
| longest between two 201s | $f_between s |
| p50 / p99 of a 201 | $f_p50 / $f_p99 ms |
| acknowledged bookings missing / slots over capacity or miscounted | ${lost} / ${over} |
| wall time, whole script | $(elapsed "$began" "$ended") s |

Attempt outcomes: $f_outcomes.

App server warnings and errors (app1, then app2):

\`\`\`
$(app_log_digest "$work/app1.log")
$(app_log_digest "$work/app2.log")
\`\`\`

deploy: ${f_requests} requests, ${f_failed} failed, 2 restarts
REPORT
[ "$f_failed" = 0 ] || { echo "deploy: the goal (0 failed requests) was not met" >&2; exit 1; }
