# Shared by load-tests/failover.sh, restore.sh and deploy.sh (sourced, not run): the work
# directory, free ports, PostgreSQL and app server processes, and cleanup on exit.
# Expects $root (the repository) to be set by the sourcing script.

pg_bin=/usr/lib/postgresql/15/bin
# MADOGUCHI_BIN: another build of the server (scripts/test uses the debug one).
bin="${MADOGUCHI_BIN:-$root/target/release/madoguchi}"
load_py="$root/load-tests/ha/load.py"

"$root/scripts/ensure-packages" patroni etcd-server etcd-client pgbackrest haproxy postgresql python3 curl
[ -x "$bin" ] || { echo "no server binary at $bin (cargo build --release --bin madoguchi)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "run as root: PostgreSQL runs as the postgres user" >&2; exit 1; }

# Everything lives in one temporary directory the postgres user can enter.
work=$(mktemp -d "${TMPDIR:-/tmp}/madoguchi-ops.XXXXXX")
chmod 755 "$work"
chown postgres: "$work"

# Cleanup steps run last-in first-out on any exit, so a failed run leaves nothing behind.
# For debugging: KEEP_WORK=1 keeps the directory (logs, attempts), TRACE_CLEANUP=1 times each step.
cleanup_steps=()
on_exit() { cleanup_steps+=("$1"); }
run_cleanup() {
  local status=$? i
  trap - EXIT INT TERM
  for ((i = ${#cleanup_steps[@]} - 1; i >= 0; i--)); do [ -z "${TRACE_CLEANUP:-}" ] || echo "$(date +%T.%N) ${cleanup_steps[i]}" >&2; eval "${cleanup_steps[i]}" >/dev/null 2>&1 || true; done
  if [ "${KEEP_WORK:-}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
  exit "$status"
}
trap run_cleanup EXIT
trap 'exit 130' INT TERM

# N distinct free ports on 127.0.0.1, all bound at once so none is handed out twice.
free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
held = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    held.append(s)
print(" ".join(str(s.getsockname()[1]) for s in held))
PY
}

# Times as seconds.nanoseconds; differences in bash, as starting Python per step adds up.
now() { date +%s.%N; }
to_ns() {
  local whole=${1%.*} frac=0
  [ "$whole" = "$1" ] || frac=${1#*.}
  frac=${frac}000000000
  echo $((whole * 1000000000 + 10#${frac:0:9}))
}
elapsed() {
  local tenths=$((($(to_ns "$2") - $(to_ns "$1")) / 100000000))
  printf '%d.%d\n' $((tenths / 10)) $((tenths % 10))
}

as_pg() { runuser -u postgres -- "$@"; }

# Starts a command as postgres in the background; its own PID (not runuser's) goes to FILE,
# so that signals reach it directly.
spawn_as_pg() {
  local pidfile=$1 log=$2
  shift 2
  runuser -u postgres -- sh -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" >>"$log" 2>&1 </dev/null &
  local i
  for i in $(seq 50); do [ -s "$pidfile" ] && return 0; sleep 0.1; done
  echo "could not start $*" >&2
  return 1
}

# TERM, then KILL after a grace period (0: KILL at once); waits until the process is gone.
stop_pid() {
  local pid=$1 grace=${2:-30} i
  [ -n "$pid" ] || return 0
  if [ "$grace" -gt 0 ]; then
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq $((grace * 10))); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  fi
  kill -KILL "$pid" 2>/dev/null || true
  for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
}

# A plain cluster (trust on 127.0.0.1, sockets in its own directory), created as postgres.
init_cluster() {
  local dir=$1
  as_pg "$pg_bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
}
start_cluster() {
  local dir=$1 port=$2
  shift 2
  as_pg "$pg_bin/pg_ctl" -D "$dir" -l "$dir.log" -w -t 120 \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$work $*" start >/dev/null
}
# Immediate stop: used by cleanup, where speed matters more than a clean shutdown.
stop_cluster() {
  local dir=$1 mode=${2:-immediate}
  [ -f "$dir/postmaster.pid" ] || return 0
  as_pg "$pg_bin/pg_ctl" -D "$dir" -m "$mode" -w -t 60 stop >/dev/null
}

psql_at() {
  local port=$1
  shift
  psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres "$@"
}

# The readiness path: /ready when the server has it (200 or 503), else /health.
health_path=""
probe_path() {
  local base=$1 code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$base/ready" || true)
  case "$code" in 200|503) echo /ready ;; *) echo /health ;; esac
}

# Starts an app server NAME on PORT against DATABASE_URL; its PID goes to $work/NAME.pid and
# its log (appended across restarts) to $work/NAME.log.
start_app() {
  local name=$1 port=$2 url=$3
  mkdir -p "$work/$name-var"
  DATABASE_URL="$url" MADOGUCHI_BIND="127.0.0.1:$port" MADOGUCHI_VAR_DIR="$work/$name-var" \
    MADOGUCHI_SEED_DEMO=always MADOGUCHI_DEMO_DATA="$root/../shared/data" \
    MADOGUCHI_WRITES_PER_MINUTE=1000000 MADOGUCHI_PROOF_CHECKS_PER_MINUTE=1000000 \
    MADOGUCHI_HELD_PLACES_PER_ADDRESS=1000000 RUST_LOG="${APP_LOG:-warn}" \
    "$bin" serve >>"$work/$name.log" 2>&1 </dev/null &
  echo $! >"$work/$name.pid"
  on_exit "stop_pid $! 10"
}

# Waits until the server answers 200 on its readiness path; fails if it exits first.
wait_app() {
  local name=$1 port=$2 limit=${3:-60} start code
  start=$(date +%s)
  while :; do
    [ -n "$health_path" ] || {
      code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/health" || true)
      [ "$code" = 200 ] && health_path=$(probe_path "http://127.0.0.1:$port")
    }
    if [ -n "$health_path" ]; then
      code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port$health_path" || true)
      [ "$code" = 200 ] && return 0
    fi
    if ! kill -0 "$(cat "$work/$name.pid")" 2>/dev/null; then
      echo "app server $name exited; its log:" >&2
      tail -n 40 "$work/$name.log" >&2
      return 1
    fi
    if [ $(($(date +%s) - start)) -ge "$limit" ]; then
      echo "app server $name not ready after ${limit}s; its log:" >&2
      tail -n 40 "$work/$name.log" >&2
      return 1
    fi
    sleep 0.2
  done
}

# Lines of an app log worth showing: warnings and errors, counted by message shape.
app_log_digest() {
  local log=$1
  [ -s "$log" ] || { echo "(no warnings or errors)"; return; }
  python3 - "$log" <<'PY'
import collections, re, sys
counts = collections.Counter()
first = {}
for line in open(sys.argv[1], errors="replace"):
    if not re.search(r"WARN|ERROR|panick", line):
        continue
    # Strip the timestamp and numbers so that repeats of one message count together.
    line = re.sub(r"\x1b\[[0-9;]*m", "", line).strip()
    shape = re.sub(r"\d+", "N", re.sub(r"^\S+\s+", "", line))[:220]
    counts[shape] += 1
    first.setdefault(shape, line[:300])
if not counts:
    print("(no warnings or errors)")
for shape, n in counts.most_common(8):
    print(f"{n} x {first[shape]}")
PY
}

# The figures of a load.py summary as shell variables PREFIX_NAME, in one Python start.
load_figures() {
  eval "$(python3 - "$1" "$2" <<'PY'
import json, shlex, sys
d, prefix = json.load(open(sys.argv[1])), sys.argv[2]
figures = {
    "started": d["started"], "seconds": d["seconds"], "requests": d["requests"],
    "ok": d["outcomes"].get("201", 0),
    "conflicts": sum(v for k, v in d["outcomes"].items() if k.startswith("409")),
    "failed": d["failed"], "retried": d["retried_requests"],
    "failed_attempts": d["failed_attempts"], "per_s": d["bookings_per_s"],
    "between": d["longest_between_201_s"], "p50": d["p50_ms"], "p99": d["p99_ms"],
    "acknowledged": d["acknowledged"],
    "outcomes": ", ".join(f"{k}: {v}" for k, v in sorted(d["attempt_outcomes"].items())),
}
for name, value in figures.items():
    print(f"{prefix}_{name}={shlex.quote(str(value))}")
PY
)"
}
