# Shell functions the benchmark scripts share; sourced from the repository root (`. benchmarks/lib.sh`).

# await_port LOG PATTERN PID: the port the server printed (a sed pattern with one group), within 60 s; fails, with
# the log's tail on stderr, when PID exits first or the minute passes
await_port() {
  local log=$1 pattern=$2 pid=$3 port=""
  for _ in $(seq 1 600); do
    port=$(sed -n "s#$pattern#\\1#p" "$log" | head -1)
    [ -n "$port" ] && { echo "$port"; return 0; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "${0##*/}: the server did not start; its log:" >&2
  tail -20 "$log" >&2
  return 1
}

# The sed pattern of the line conversioni prints when it serves (its HTTP port in the group).
READY_PATTERN='.*conversioni is ready: http://localhost:\([0-9]*\).*'
