#!/usr/bin/env bash
# Cluster mode on one Kafka broker beside single-node mode, on this machine (not run by CI):
#
#   benchmarks/cluster.sh            RATE=10000 DURATION=10s WARMUP=5s NODES="1 2 3" SINGLE=1 benchmarks/cluster.sh
#
# 1. a broker (cluster/kafka-broker.sh, a fresh folder, a free port), stopped at the end;
# 2. single-node mode (`serve` with the embedded defaults, no cluster section), then a cluster of 1, 2 and 3 nodes
#    (a `serve` each, config = a cluster: section only, the PARTITIONS partitions split into disjoint ranges, fresh
#    topics and data folders per run), all on plain HTTP (--port -1 --http-port 0);
# 3. each driven by the load generator (io.conversioni.bench.load.LoadGenerator) open loop at RATE events/s for
#    DURATION after WARMUP, CONNECTIONS (128) keep-alive connections spread over the nodes (any node takes any
#    event; a cluster's answer waits for two trips through Kafka, so 16 connections, one request each, would cap the
#    rate below RATE), its default traffic mix (5 % re-deliveries, 2 % invalid, 10 % out of order);
# 4. time-to-insight: a probe event every ~100 ms (INSIGHT_PER_S), POSTed to the first node and polled every
#    INSIGHT_POLL in GET /api/v1/metriche on another node (the second; the same one with one node) until its
#    campaign shows (cluster-wide insight), INSIGHT_TIMEOUT at most;
# 5. CPU seconds of each node JVM and of the broker during the measured run (utime + stime from /proc/PID/stat,
#    from the end of the warm-up to the end of the run), per event sent.
# Writes benchmarks/results/cluster-<UTC date and time>.txt (the table, the machine, the settings) and the
# generator's JSON reports beside it (cluster-<date>/). Exit 1 when the broker does not start, or a node of a run
# does not or the run errors (that run's row says so, the others still run); never on a timing. Every
# process it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

RATE=${RATE:-10000}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-5s}
CONNECTIONS=${CONNECTIONS:-128}
NODES=${NODES-1 2 3}
# more keys of the cluster: section for every node, e.g. CLUSTER_EXTRA='linger: 2ms' (lines separated by \n)
CLUSTER_EXTRA=${CLUSTER_EXTRA-}
SINGLE=${SINGLE:-1}
PARTITIONS=${PARTITIONS:-6}
INSIGHT_PER_S=${INSIGHT_PER_S:-10}
INSIGHT_POLL=${INSIGHT_POLL:-5ms}
INSIGHT_TIMEOUT=${INSIGHT_TIMEOUT:-5s}

bench_jar=benchmarks/target/benchmarks.jar
server_jar=cli/target/conversioni.jar
stale() {
  [ -f "$bench_jar" ] && [ -f "$server_jar" ] && [ -f benchmarks/target/jvm.options ] && [ -f cli/target/jvm.options ] \
    || return 0
  [ -n "$(find pom.xml engine operations ingress cli cluster benchmarks config build \( -path '*/target' -prune \) -o \
      -type f \( -newer "$bench_jar" -o -newer "$server_jar" \) -print -quit 2>/dev/null)" ]
}
if stale; then
  echo "== building the jars (mvn package, no tests)"
  mvn -B -q clean package -DskipTests -pl cluster,cli,benchmarks -am
fi
bench_opts=$(cat benchmarks/target/jvm.options)
server_opts=$(cat cli/target/jvm.options)
case "$DURATION" in
  *[0-9]s) duration_s=${DURATION%s} ;;
  *[0-9]m) duration_s=$(( ${DURATION%m} * 60 )) ;;
  *) duration_s="" ;;
esac
[[ "$duration_s" =~ ^[0-9]+$ ]] && [ "$duration_s" -gt 0 ] \
  || { echo "cluster.sh: DURATION must be like 10s or 1m, was '$DURATION'" >&2; exit 2; }
insight_samples=$(( duration_s * INSIGHT_PER_S ))

stamp=$(date -u +%Y-%m-%dT%H%M)
out=benchmarks/results
reports="$out/cluster-$stamp"
mkdir -p "$reports"
result="$out/cluster-$stamp.txt"
tmp=$(mktemp -d -t conversioni-cluster-XXXXXX)
pids=()
broker_dir="$tmp/kafka"
cleanup() {
  for pid in ${pids[@]+"${pids[@]}"}; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in ${pids[@]+"${pids[@]}"}; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  [ ! -f "$broker_dir/broker.pid" ] || cluster/kafka-broker.sh stop --dir "$broker_dir" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# the shared HS256 secret of every node (single node too), as an operator would set it
CONVERSIONI_JWT_SECRET=$(head -c 32 /dev/urandom | base64 | tr -d '\n')
export CONVERSIONI_JWT_SECRET
ticks=$(getconf CLK_TCK)

# cpu_ticks PID: utime + stime of a process (fields 14 and 15 of /proc/PID/stat, after the command's parentheses)
cpu_ticks() {
  sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

free_port() {   # a loopback port with nothing on it and on port+1 (the broker's controller)
  local port
  for _ in $(seq 1 50); do
    port=$(( 20000 + RANDOM % 40000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
    (exec 3<>"/dev/tcp/127.0.0.1/$((port + 1))") 2>/dev/null && continue
    echo "$port"
    return 0
  done
  return 1
}

# await_ready LOG PID: the HTTP port from the node's banner, within 120 s
await_ready() {
  local log=$1 pid=$2 port=""
  for _ in $(seq 1 1200); do
    port=$(sed -n 's#.*conversioni is ready: http://localhost:\([0-9]*\).*#\1#p' "$log" | head -1)
    [ -n "$port" ] && { echo "$port"; return 0; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "cluster.sh: a node did not start; its log ($log):" >&2
  tail -20 "$log" >&2
  return 1
}

# owns I N: node I's range of the partitions split into N disjoint ranges
owns() {
  local i=$1 n=$2 from to
  from=$(( PARTITIONS * i / n ))
  to=$(( PARTITIONS * (i + 1) / n - 1 ))
  echo "$from-$to"
}

echo "== broker"
broker_port=$(free_port)
bootstrap=$(cluster/kafka-broker.sh start --port "$broker_port" --dir "$broker_dir" | tail -1)
broker_pid=$(cat "$broker_dir/broker.pid")
echo "   $bootstrap (pid $broker_pid)"

rows=()
names=(a b c d e f g h)
node_pids=()
# stop_nodes: SIGTERM to the current run's nodes (they drain and exit), SIGKILL after 30 s
stop_nodes() {
  local pid
  for pid in ${node_pids[@]+"${node_pids[@]}"}; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in ${node_pids[@]+"${node_pids[@]}"}; do
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  node_pids=()
}

# run NAME NODE_COUNT (0 = single-node mode): one row in rows, or a non-zero status
run() {
  local name=$1 count=$2 urls=() i dir log pid port
  local n=$(( count > 0 ? count : 1 ))
  for i in $(seq 0 $(( n - 1 ))); do
    dir="$tmp/$name/node$i"
    mkdir -p "$dir"
    local config=()
    if [ "$count" -gt 0 ]; then
      cat > "$dir/cluster.yaml" <<EOF
cluster:
  bootstrap_servers: $bootstrap
  topic: ${name}_eventi
  reply_topic: ${name}_esiti
  cells_topic: ${name}_finestre
  alerts_topic: ${name}_allarmi
  reports_topic: ${name}_rapporti
  partitions: $PARTITIONS
  node: ${names[$i]}
  owns: "$(owns "$i" "$count")"
EOF
      if [ -n "$CLUSTER_EXTRA" ]; then
        printf '%b\n' "$CLUSTER_EXTRA" | sed 's/^/  /' >> "$dir/cluster.yaml"
      fi
      config=(--config "$dir/cluster.yaml")
    fi
    log="$dir/node.log"
    # shellcheck disable=SC2086
    java $server_opts -jar "$server_jar" serve ${config[@]+"${config[@]}"} --data-dir "$dir/data" --port -1 --http-port 0 \
      >"$log" 2>&1 &
    pid=$!
    pids+=("$pid")
    node_pids+=("$pid")
  done
  for i in $(seq 0 $(( n - 1 ))); do
    port=$(await_ready "$tmp/$name/node$i/node.log" "${node_pids[$i]}") || return 1
    urls+=("http://127.0.0.1:$port")
  done
  local token insight_url
  # shellcheck disable=SC2086
  token=$(java $server_opts -jar "$server_jar" token --data-dir "$tmp/$name/node0/data" --sub bench --ttl 1h)
  insight_url=${urls[$(( n > 1 ? 1 : 0 ))]}
  local all_urls
  all_urls=$(IFS=,; echo "${urls[*]}")
  echo "== $name: $n node(s) ($all_urls), $RATE events/s for $DURATION after $WARMUP, insight polled on $insight_url"
  local gen_out="$tmp/$name/loadgen.out"
  # shellcheck disable=SC2086
  timeout 600 java $bench_opts -cp "$bench_jar" io.conversioni.bench.load.LoadGenerator --url "$all_urls" \
    --token "$token" --rate "$RATE" --duration "$DURATION" --warmup "$WARMUP" --connections "$CONNECTIONS" \
    --insight-samples "$insight_samples" --insight-url "$insight_url" --insight-poll "$INSIGHT_POLL" \
    --insight-timeout "$INSIGHT_TIMEOUT" --name "$name" --json "$reports/$name.json" >"$gen_out" 2>&1 &
  local gen=$!
  pids+=("$gen")
  # the measured run starts when the generator reports its warm-up done: CPU counted from there
  for _ in $(seq 1 6000); do
    grep -q '^  warmup ' "$gen_out" && break
    kill -0 "$gen" 2>/dev/null || break
    sleep 0.05
  done
  local before=() broker_before
  for pid in "${node_pids[@]}"; do before+=("$(cpu_ticks "$pid")"); done
  broker_before=$(cpu_ticks "$broker_pid")
  local status=0
  wait "$gen" || status=$?
  local after=() broker_after
  for pid in "${node_pids[@]}"; do after+=("$(cpu_ticks "$pid")"); done
  broker_after=$(cpu_ticks "$broker_pid")
  cat "$gen_out"
  [ "$status" -eq 0 ] || { echo "cluster.sh: the load generator failed in $name (exit $status)" >&2; return 1; }
  local node_cpu=""
  for i in $(seq 0 $(( n - 1 ))); do
    node_cpu+="$(( after[i] - before[i] )) "
  done
  local broker_cpu=$(( broker_after - broker_before ))
  [ "$count" -gt 0 ] || broker_cpu=""
  rows+=("$(python3 - "$reports/$name.json" "$name" "$n" "$ticks" "$broker_cpu" $node_cpu <<'EOF'
import json, sys
report, name, n, ticks, broker = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
nodes = [int(t) for t in sys.argv[6:]]
r = json.load(open(report))
events = r["requests_sent"] * max(1, r["batch"])
lat, ins = r["latency_ms"], r.get("insight_latency_ms", {})
us = lambda t: "%.1f" % (t / ticks * 1e6 / events) if events else "-"
node_us = "/".join(us(t) for t in nodes)
total = sum(nodes) + (int(broker) if broker else 0)
st = r["status_counts"]
print("%-10s %5d %9.0f %8.2f %8.2f %9s %9s %8s %14s %9s %9s %6s %s" % (
    name, n, r["events_per_s"], lat.get("p50", 0), lat.get("p99", 0),
    "%.1f" % ins["p50"] if ins.get("count") else "-", "%.1f" % ins["p99"] if ins.get("count") else "-",
    "%d/%d" % (r.get("insight_not_visible", 0), r.get("insight_not_visible", 0) + ins.get("count", 0)),
    node_us, us(int(broker)) if broker else "-", us(total), st.get("503", 0),
    (",".join("%s:%d" % kv for kv in r["errors"].items()) or "-")))
EOF
)")
}

failed=0
# a run that fails is reported as such and the next one still runs
try() {
  run "$@" || { rows+=("$(printf '%-10s %5s  failed: see the script output' "$1" "$2")"); failed=1; }
  stop_nodes
}
[ "$SINGLE" = 0 ] || try single 0
for n in $NODES; do
  try "nodes$n" "$n"
done

{
  echo "benchmarks/cluster.sh, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "machine: $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(free -g | awk '/^Mem:/ { print $2 }') GiB;" \
    "load average before the end: $(cut -d' ' -f1-3 /proc/loadavg); shared with other work"
  echo "java: $(java -version 2>&1 | head -1); broker: Kafka $(sed -n 's/.*kafka_2.13-\([0-9.]*\)\.jar.*/\1/p' \
    <(tr ':' '\n' < cluster/target/broker-classpath.txt) | head -1), one JVM, KAFKA_JAVA_OPTS=${KAFKA_JAVA_OPTS:-default}"
  echo "settings: RATE=$RATE DURATION=$DURATION WARMUP=$WARMUP CONNECTIONS=$CONNECTIONS PARTITIONS=$PARTITIONS" \
    "INSIGHT_PER_S=$INSIGHT_PER_S INSIGHT_POLL=$INSIGHT_POLL INSIGHT_TIMEOUT=$INSIGHT_TIMEOUT" \
    "CLUSTER_EXTRA='$CLUSTER_EXTRA'; embedded defaults" \
    "otherwise; generator, nodes and broker on the same cores"
  echo
  echo "events/s: events sent in the measured run / its length. HTTP p50/p99: ms, open loop, coordinated omission"
  echo "corrected. insight: ms from the probe's POST (first node) to its campaign in GET /api/v1/metriche on another"
  echo "node (the same one with one node); not visible = samples not seen within INSIGHT_TIMEOUT. CPU: µs of CPU"
  echo "(user + system) per event sent in the measured run: each node JVM (a/b/c), the broker, and all of them."
  echo
  printf "%-10s %5s %9s %8s %8s %9s %9s %8s %14s %9s %9s %6s %s\n" run nodes events/s http_p50 http_p99 \
    insight50 insight99 notvis node_cpu_us broker_us total_us 503s errors
  printf '%s\n' "${rows[@]}"
} | tee "$result"
echo "== results in $result (generator reports in $reports/)"
exit "$failed"
