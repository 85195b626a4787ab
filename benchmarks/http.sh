#!/usr/bin/env bash
# The HTTP benchmarks, driven by the project's own load generator (io.conversioni.bench.load.LoadGenerator;
# no wrk needed). Called by benchmarks/run.sh after the build; runnable alone once the jars exist:
#
#   benchmarks/http.sh [--quick] [--wirings] OUT_DIR
#
# 1. ceiling: the bare Undertow handler (bench.BareUndertowServer) and conversioni (the shaded cli jar,
#    `serve --port -1 --http-port 0`, fresh data folder), each driven closed-loop at maximum (--rate max, 16
#    keep-alive connections) with the same single-event requests, conversioni's JWT included (the bare handler
#    ignores it), in alternated rounds (2 quick, 3 full; HTTP_ROUNDS=N): ratio conversioni / bare, the median
#    of the rounds' ratios. Reports http-bare-single-max-N.json, http-conversioni-single-max-N.json.
#    Every run warms up inside the generator's own JVM first (--warmup, same rate, discarded): a cold
#    generator's JIT compilation alone put tens of milliseconds into the measured p99.
# 2. latency: the same warmed conversioni at half its (median) maximum, open loop (constant arrival rate,
#    coordinated omission corrected), then the bare handler at that rate (the machine's floor); then conversioni
#    again at that rate with the time-to-insight probe (POST → visible in /api/v1/metriche), a run of its own.
# 3. batch: NDJSON batches of 500 events, closed loop: events/s over HTTP, after a warm-up of batches of its own
#    (8 s quick, 20 s full, discarded): the single-event runs before it leave the batch path to be compiled, and
#    with 2 s, C2 took a third of a core through the measured seconds.
# --wirings (the full run): conversioni's maximum (and time-to-insight under it) for each pipeline.stage_threads
#    (1, 2, 4) × wait_strategy (sleeping, blocking), and 0 (inline), one fresh server each; WIRINGS="1:blocking 2:sleeping ..."
#    picks and orders them (a name seen twice gets a -2, -3 suffix: alternate them to average out noise).
#    --only-wirings: just those, without steps 1 to 3.
#
# Every process it starts is stopped on exit (trap), servers listen on free loopback ports (port 0), every
# step has a bounded duration. Writes OUT_DIR/http-*.json (one LoadGenerator report each). Exit 1 when a
# server does not start or a run errors; never on a timing.
set -euo pipefail
cd "$(dirname "$0")/.."
. benchmarks/lib.sh

quick=false
wirings=false
only_wirings=false
out=""
for arg in "$@"; do
  case "$arg" in
    --quick) quick=true ;;
    --wirings) wirings=true ;;
    --only-wirings) wirings=true; only_wirings=true ;;
    *) out="$arg" ;;
  esac
done
[ -n "$out" ] || { echo "usage: benchmarks/http.sh [--quick] [--wirings|--only-wirings] OUT_DIR" >&2; exit 2; }
mkdir -p "$out"

bench_jar=benchmarks/target/benchmarks.jar
server_jar=cli/target/conversioni.jar
for f in "$bench_jar" "$server_jar" benchmarks/target/jvm.options cli/target/jvm.options; do
  [ -f "$f" ] || { echo "http.sh: $f is missing; build first (mvn -B -q clean package -DskipTests)" >&2; exit 2; }
done
bench_opts=$(cat benchmarks/target/jvm.options)
server_opts=$(cat cli/target/jvm.options)

if $quick; then
  warm=3s; half_warm=5s; measure=5s; half_duration=8s; insight=100; batch_measure=4s; batch_warm=8s; rounds=${HTTP_ROUNDS:-2}; server_warm=15s
else
  warm=5s; half_warm=10s; measure=10s; half_duration=20s; insight=200; batch_measure=10s; batch_warm=20s; rounds=${HTTP_ROUNDS:-3}; server_warm=25s
fi
connections=16
batch=500
# the same IO threads as conversioni's default (half the cores, at least 1), so the ratio compares like with like
cores=$(nproc 2>/dev/null || echo 2)
io_threads=$(( cores / 2 > 0 ? cores / 2 : 1 ))

tmp=$(mktemp -d -t conversioni-http-XXXXXX)
pids=()
cleanup() {
  for pid in ${pids[@]+"${pids[@]}"}; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in ${pids[@]+"${pids[@]}"}; do
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# stop_server PID: SIGTERM (conversioni drains and exits 0), at most 15 s, then SIGKILL
stop_server() {
  local pid=$1 keep=()
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in ${pids[@]+"${pids[@]}"}; do
    [ "$p" = "$pid" ] || keep+=("$p")
  done
  pids=(${keep[@]+"${keep[@]}"})
}

# load NAME URL TOKEN ARGS...: one LoadGenerator run, report in $out/http-NAME.json (report_dir=DIR: there instead)
load() {
  local name=$1 url=$2 token=$3
  shift 3
  # shellcheck disable=SC2086
  timeout 300 java $bench_opts -cp "$bench_jar" io.conversioni.bench.load.LoadGenerator --url "$url" --token "$token" \
    --connections "$connections" --drain 5s --name "$name" --json "${report_dir:-$out}/http-$name.json" "$@"
}

# max throughput (req/s or events/s) from a report
score() {
  sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p" "$out/http-$1.json"
}

# start_conversioni NAME STAGE_THREADS WAIT: prints "PID PORT TOKEN" (it runs in a subshell: the caller adds
# the PID to pids)
start_conversioni() {
  local name=$1 threads=$2 wait=$3 dir="$tmp/$1"
  mkdir -p "$dir"
  cp -r config "$dir/config"
  sed -i -e "s/^  stage_threads: .*/  stage_threads: $threads/" -e "s/^  wait_strategy: .*/  wait_strategy: $wait/" \
    -e "s/^  bind: .*/  bind: 127.0.0.1/" "$dir/config/conversioni.yaml"
  # shellcheck disable=SC2086
  java $server_opts -jar "$server_jar" serve --config "$dir/config/conversioni.yaml" --data-dir "$dir/data" \
    --port -1 --http-port 0 >"$dir/server.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  local port
  port=$(await_port "$dir/server.log" "$READY_PATTERN" "$pid") || {
    kill -KILL "$pid" 2>/dev/null || true
    return 1
  }
  local token
  # shellcheck disable=SC2086
  token=$(java $server_opts -jar "$server_jar" token --data-dir "$dir/data" --sub bench --ttl 1h)
  echo "$pid $port $token"
}

echo "== HTTP: the load generator's self-test (against the JDK's HTTP server)"
# shellcheck disable=SC2086
timeout 60 java $bench_opts -cp "$bench_jar" io.conversioni.bench.load.LoadGenerator --self-test | grep '^self-test:'

if ! $only_wirings; then
# conversioni starts first (and idles) so that the bare handler gets the very same requests, JWT included: a
# ~200-byte Authorization value costs Undertow's header parser some 4 µs a request in either server
threads=$(sed -n 's/^  stage_threads: *\([0-9]*\).*/\1/p' config/conversioni.yaml)
wait_strategy=$(sed -n 's/^  wait_strategy: *\([a-z_]*\).*/\1/p' config/conversioni.yaml)
read -r conv_pid conv_port token < <(start_conversioni default "$threads" "$wait_strategy")
[ -n "${conv_port:-}" ] || exit 1
pids+=("$conv_pid")
url="http://127.0.0.1:$conv_port"

echo "== HTTP: the bare Undertow handler ($io_threads IO thread(s)), beside conversioni"
# shellcheck disable=SC2086
java $bench_opts -cp "$bench_jar" io.conversioni.bench.BareUndertowServer 0 "$io_threads" >"$tmp/bare.log" 2>&1 &
bare_pid=$!
pids+=("$bare_pid")
bare_port=$(await_port "$tmp/bare.log" '.*bare Undertow on http://127.0.0.1:\([0-9]*\).*' "$bare_pid")
# the bare server stays up (idle) until conversioni's half rate is known: the same open loop against it is
# the latency floor of this machine and load generator, so conversioni's tail is read against it
echo "== HTTP: bare Undertow and conversioni at maximum, $rounds alternated rounds (defaults: stage_threads and"
echo "   wait_strategy from config/conversioni.yaml)"
# This host's speed drifts by 2x within minutes: one run of each, minutes apart, measured the drift as much as
# the servers. So the two alternate, the first of each round swapping (ABBA), and the ratio is the median of
# the per-round ratios (bench.PeerRatios).
# a fresh server JIT-compiles for its first 15 s or so at load (conversioni: with 8 s, C2 still took 5-18 µs a
# request): both get a discarded run at maximum first, 15 s (quick) or 25 s long
for target in "http://127.0.0.1:$bare_port" "$url"; do
  report_dir=$tmp load warm "$target" "$token" --rate max --duration "$server_warm" --insight-samples 0 >/dev/null
done
for round in $(seq 1 "$rounds"); do
  if [ $(( round % 2 )) -eq 1 ]; then order="bare conversioni"; else order="conversioni bare"; fi
  for server in $order; do
    if [ "$server" = bare ]; then target="http://127.0.0.1:$bare_port"; else target=$url; fi
    load "$server-single-max-$round" "$target" "$token" --rate max --warmup "$warm" --duration "$measure" \
      --insight-samples 0
  done
done
max=$(for round in $(seq 1 "$rounds"); do score "conversioni-single-max-$round" throughput_rps; done \
  | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }')
half=$(awk -v m="$max" 'BEGIN { r = int(m / 2); print (r < 100 ? 100 : r) }')
echo "== HTTP: conversioni, then the bare handler, at half conversioni's median maximum ($half req/s, open loop)"
load conversioni-single-half "$url" "$token" --rate "$half" --warmup "$half_warm" --duration "$half_duration" \
  --insight-samples 0
load bare-single-half "http://127.0.0.1:$bare_port" "$token" --rate "$half" --warmup "$half_warm" --duration "$half_duration" \
  --insight-samples 0
stop_server "$bare_pid"
# time-to-insight in a run of its own: the probe's polling (a /api/v1/metriche query every 200 µs while it
# waits) is load the bare handler never sees, so it stays out of the latency runs above
load conversioni-insight-half "$url" "$token" --rate "$half" --duration "$half_duration" --insight-samples "$insight"
load "conversioni-batch$batch-max" "$url" "$token" --rate max --batch "$batch" --connections 4 --warmup "$batch_warm" \
  --duration "$batch_measure" --insight-samples 0
stop_server "$conv_pid"
fi

if $wirings; then
  declare -A seen=()
  for wiring in ${WIRINGS:-0:blocking 1:sleeping 1:blocking 2:sleeping 2:blocking 4:sleeping 4:blocking}; do
      threads=${wiring%%:*}
      wait_strategy=${wiring#*:}
      name="wiring-t$threads-$wait_strategy"
      seen[$name]=$(( ${seen[$name]:-0} + 1 ))
      [ "${seen[$name]}" -gt 1 ] && name="$name-${seen[$name]}"
      echo "== HTTP: conversioni with stage_threads $threads, wait_strategy $wait_strategy"
      read -r conv_pid conv_port token < <(start_conversioni "$name" "$threads" "$wait_strategy")
      [ -n "${conv_port:-}" ] || exit 1
      pids+=("$conv_pid")
      url="http://127.0.0.1:$conv_port"
      load "$name-max" "$url" "$token" --rate max --warmup 3s --duration "$measure" --insight-samples 50
      stop_server "$conv_pid"
  done
fi
echo "== HTTP: reports in $out"
