#!/usr/bin/env bash
# Runs every benchmark and writes benchmarks/results/latest.json and benchmarks/results/latest.md (the table and
# the ratios against each peer). Fails when a benchmark errors or an engine stage allocates per event; never on a
# timing.
#
#   benchmarks/run.sh [--quick]
#
# 1. JMH (always -prof gc): the stages, the whole pipeline, and the in-process peers (2: Jackson + networknt +
#    Redis, needs redis-server, started here on a free loopback port and stopped at the end; skipped with a note
#    when it is not installed; 3: the same stages over ArrayBlockingQueues).
# 2. Paced insight latency, engine vs peer 3, at the same constant arrival rate (bench.PacedInsightLatency).
# 3. HTTP (benchmarks/http.sh): bare Undertow vs conversioni at maximum, half-rate latency and time-to-insight,
#    NDJSON batch ingest; the full run also measures each pipeline wiring (stage_threads × wait_strategy).
# 4. ResultsReport: the table, the ratios, and the pipeline's efficiency (its events/s against the bound its stages'
#    ns/event set, measured in this run: docs/performance.md, "Pipeline efficiency") with the NDJSON batch target.
# --quick (CI, about 3 minutes): one short fork per benchmark, the default wiring only. Default: about 20 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=false
[ "${1:-}" = "--quick" ] && quick=true

jar=benchmarks/target/benchmarks.jar
server_jar=cli/target/conversioni.jar
# build unless both jars are newer than every source (CI has just built them in `mvn verify`); clean, because the
# shade plugin can keep stale classes otherwise
stale() {
  [ -f "$jar" ] && [ -f "$server_jar" ] && [ -f benchmarks/target/jvm.options ] || return 0
  [ -n "$(find pom.xml engine operations ingress cli benchmarks config build \( -path '*/target' -prune \) -o -type f \
      \( -newer "$jar" -o -newer "$server_jar" \) -print -quit 2>/dev/null)" ]
}
if stale; then
  mvn -B -q clean package -DskipTests -pl engine,cli,benchmarks -am
fi
opts=$(cat benchmarks/target/jvm.options)
out=benchmarks/results
mkdir -p "$out"
work=$(mktemp -d -t conversioni-bench-XXXXXX)
raw="$work/jmh.json"
redis_pid=""
cleanup() {
  if [ -n "$redis_pid" ]; then
    kill -TERM "$redis_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$redis_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$redis_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
started=$(date +%s)

# redis-server for peer 2, on a free loopback port (a port found free may be taken before redis binds it: retry)
exclude=()
if command -v redis-server >/dev/null 2>&1; then
  for _ in 1 2 3 4 5; do
    port=$(( 20000 + RANDOM % 40000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue   # something listens there
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
      >"$work/redis.log" 2>&1 &
    redis_pid=$!
    for _ in $(seq 1 50); do
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
      kill -0 "$redis_pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$redis_pid" 2>/dev/null; then
      export CONVERSIONI_PEER_REDIS_PORT=$port
      echo "redis-server for peer 2 on 127.0.0.1:$port (pid $redis_pid)"
      break
    fi
    redis_pid=""
  done
  [ -n "$redis_pid" ] || { echo "SKIPPED JacksonRedisPeerBenchmark: redis-server did not start: $(tail -2 "$work/redis.log")" >&2; exclude=(-e JacksonRedisPeerBenchmark); }
else
  echo "SKIPPED JacksonRedisPeerBenchmark: redis-server is not installed (apt-get install -y redis-server)" >&2
  exclude=(-e JacksonRedisPeerBenchmark)
fi

# the shipped wiring (the quick JMH run and the paced run use it)
threads=$(sed -n 's/^  stage_threads: *\([0-9]*\).*/\1/p' config/conversioni.yaml)
wait_strategy=$(sed -n 's/^  wait_strategy: *\([a-z_]*\).*/\1/p' config/conversioni.yaml)
# the shipped dedupe mode: the pipeline's efficiency takes its dedupe cost from DedupeFullTableBenchmark in that mode
dedupe_mode=$(sed -n '/^dedupe:/,/^[a-z]/s/^  mode: *\([a-z]*\).*/\1/p' config/conversioni.yaml | tr '[:lower:]' '[:upper:]')
if $quick; then
  # shellcheck disable=SC2086
  java $opts -jar "$jar" ${exclude[@]+"${exclude[@]}"} \
    'DecodeValidateBenchmark.conversioniDecodeValidate|DedupeBenchmark|DedupeFullTableBenchmark|WindowUpdateBenchmark.onEvent(AndInsightLatency)?$|JournalAppendBenchmark.appendEvent|PipelineThroughputBenchmark|peers.BlockingQueuePipelineBenchmark|peers.JacksonRedisPeerBenchmark' \
    -p mode="${dedupe_mode:-PROXIMITY}" -p capacitySlots=131072 -p durability=ASYNC -p waitStrategy="$wait_strategy" -p stageThreads="$threads" \
    -f 1 -wi 1 -i 2 -w 1s -r 1s -foe true -prof gc -rf json -rff "$raw"
  paced=(--rate 100000 --seconds 2 --warmup 1 --stage-threads "$threads" --wait "$wait_strategy")
  http=(--quick)
else
  # shellcheck disable=SC2086
  java $opts -jar "$jar" ${exclude[@]+"${exclude[@]}"} -f 1 -wi 3 -i 5 -w 2s -r 2s -foe true -prof gc -rf json -rff "$raw"
  paced=(--rate 100000 --seconds 10 --warmup 3 --stage-threads "$threads" --wait "$wait_strategy")
  http=(--wirings)
fi

echo "== paced insight latency, engine vs peer 3"
# shellcheck disable=SC2086
timeout 300 java $opts -cp "$jar" io.conversioni.bench.PacedInsightLatency "${paced[@]}" --json "$work/paced.json" \
  2> >(grep -v '^{' >&2)

timeout 1200 benchmarks/http.sh "${http[@]}" "$work/http"

# shellcheck disable=SC2086
java $opts -cp "$jar" io.conversioni.bench.ResultsReport "$raw" "$out/latest.json" "$out/latest.md" \
  "$work/paced.json" "$work"/http/http-*.json
echo "benchmarks/run.sh $*: done in $(( $(date +%s) - started )) s; results in $out/latest.json and $out/latest.md"
