#!/usr/bin/env bash
# CPU time per HTTP request, per server thread: bare Undertow vs conversioni, alternated ROUNDS times. Linux only
# (reads /proc/PID/task/*/stat and status). On a host whose speed swings, req/s at maximum moves by 2x between
# runs; the CPU a request costs each thread moves far less, so this is the number to compare two builds by.
#
#   benchmarks/cpu.sh [RATE|max] [ROUNDS]          (defaults: max, 2)
#
# Each round: a fresh conversioni (`serve --port -1 --http-port 0`, config/ defaults, CONFIG_SED applies a sed
# script to its conversioni.yaml, JAR picks another server jar), then a fresh bare Undertow
# (bench.BareUndertowServer, same IO threads as conversioni's default) sent the same requests, JWT included; each
# warmed at maximum for 8 s (WARM=25s: longer; a fresh server JIT-compiles for some 15 s at maximum), then
# driven by the load generator at RATE for 15 s (the same single-event traffic as
# benchmarks/http.sh); the latency line gives the p99 in ms; the threads' user+system
# time and context switches are read 2 s into the run and 12 s later. Prints, per server, the threads that used
# more than 0.05 µs a request (µs of CPU per request, voluntary and involuntary switches per request) and the
# total. BATCH=K: NDJSON batches of K events instead (4 connections, as benchmarks/http.sh drives them), figures per
# event, no bare handler (it has no batch endpoint). Every process it starts is stopped on exit. Never fails on a number.
set -euo pipefail
cd "$(dirname "$0")/.."
. benchmarks/lib.sh
rate=${1:-max}
rounds=${2:-2}
bench_jar=benchmarks/target/benchmarks.jar
server_jar=${JAR:-cli/target/conversioni.jar}
for f in "$bench_jar" "$server_jar" benchmarks/target/jvm.options cli/target/jvm.options; do
  [ -f "$f" ] || { echo "cpu.sh: $f is missing; build first (mvn -B -q clean package -DskipTests)" >&2; exit 2; }
done
[ -d /proc/self/task ] || { echo "cpu.sh: needs Linux /proc" >&2; exit 2; }
bench_opts=$(cat benchmarks/target/jvm.options)
server_opts=$(cat cli/target/jvm.options)
cores=$(nproc 2>/dev/null || echo 2)
io_threads=$(( cores / 2 > 0 ? cores / 2 : 1 ))
hz=$(getconf CLK_TCK)
tmp=$(mktemp -d -t conversioni-cpu-XXXXXX)
pid=""
cleanup() {
  [ -n "$pid" ] && { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# threads PID: one line per thread, "tid|name|cpu ticks|voluntary|involuntary" (the name may hold spaces, so
# the tick fields are counted after the closing parenthesis of /proc/.../stat)
threads() {
  local t
  for t in /proc/"$1"/task/*; do
    printf '%s|%s|%s|%s\n' "${t##*/}" "$(cat "$t/comm" 2>/dev/null)" \
      "$(sed 's/.*) //' "$t/stat" 2>/dev/null | awk '{print $12 + $13}')" \
      "$(awk '/^voluntary_ctxt_switches/{v=$2} /^nonvoluntary_ctxt_switches/{n=$2} END{print v "|" n}' "$t/status" 2>/dev/null)"
  done
}

measure() { # NAME URL TOKEN
  local name=$1 url=$2 token=$3 lg
  lg="java $bench_opts -cp $bench_jar io.conversioni.bench.load.LoadGenerator --url $url --token $token --insight-samples 0"
  [ -n "${BATCH:-}" ] && lg="$lg --batch $BATCH --connections 4"
  $lg --rate max --duration "${WARM:-8s}" >/dev/null 2>&1
  $lg --rate "$rate" --duration 15s >"$tmp/lg" 2>&1 &
  local load=$!
  sleep 2; threads "$pid" >"$tmp/before"
  sleep 12; threads "$pid" >"$tmp/after"
  wait "$load" || true
  local achieved requests
  # per request, or per event of a batch ("achieved N req/s, M events/s")
  achieved=$(awk -v f="${BATCH:+4}" '/achieved/{print $(f == "" ? 2 : f); exit}' "$tmp/lg")
  requests=$(awk -v a="${achieved:-0}" 'BEGIN{printf "%d", a * 12}')
  local unit=req
  [ -n "${BATCH:-}" ] && unit=events
  echo "== $name: ${achieved:-?} $unit/s ($(grep -m1 -o 'p99 [0-9.]*' "$tmp/lg" || echo 'p99 ?'))"
  awk -F'|' -v n="$requests" -v hz="$hz" -v u="${BATCH:+event}" '
    NR == FNR { cpu[$1] = $3; vol[$1] = $4; inv[$1] = $5; next }
    n > 0 {
      c = ($3 - cpu[$1]) * 1e6 / hz / n; v = ($4 - vol[$1]) / n; i = ($5 - inv[$1]) / n; total += c
      if (u == "") u = "req"
      if (c > 0.05) printf "  %-24s %7.2f us/%s  %5.2f vol/%s  %5.3f invol/%s\n", $2, c, u, v, u, i, u
    }
    END { if (n > 0) printf "  %-24s %7.2f us/%s\n", "total", total, (u == "" ? "req" : u) }' "$tmp/before" "$tmp/after"
}

for round in $(seq 1 "$rounds"); do
  rm -rf "$tmp/conv"; mkdir -p "$tmp/conv"; cp -r config "$tmp/conv/config"
  [ -n "${CONFIG_SED:-}" ] && sed -i -e "$CONFIG_SED" "$tmp/conv/config/conversioni.yaml"
  # shellcheck disable=SC2086
  java $server_opts -jar "$server_jar" serve --config "$tmp/conv/config/conversioni.yaml" --data-dir "$tmp/conv/data" \
    --port -1 --http-port 0 >"$tmp/conv.log" 2>&1 &
  pid=$!
  port=$(await_port "$tmp/conv.log" "$READY_PATTERN" "$pid")
  # shellcheck disable=SC2086
  token=$(java $server_opts -jar "$server_jar" token --data-dir "$tmp/conv/data" --sub cpu --ttl 1h)
  measure "conversioni, round $round" "http://127.0.0.1:$port" "$token"
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  [ -n "${BATCH:-}" ] && continue

  # the same requests, token included (the bare handler ignores it)
  # shellcheck disable=SC2086
  java $bench_opts -cp "$bench_jar" io.conversioni.bench.BareUndertowServer 0 "$io_threads" >"$tmp/bare.log" 2>&1 &
  pid=$!
  port=$(await_port "$tmp/bare.log" '.*bare Undertow on http://127.0.0.1:\([0-9]*\).*' "$pid")
  measure "bare Undertow, round $round" "http://127.0.0.1:$port" "$token"
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done
