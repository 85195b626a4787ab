#!/usr/bin/env bash
# The NDJSON batch target within minutes: alternates the in-process pipeline's JMH trial and a batch run over HTTP,
# ROUNDS times, and prints each round's ratio (batches over HTTP ÷ the pipeline) and their median. A full run
# (benchmarks/run.sh) takes its two figures a quarter of an hour apart, and this host's speed moves by a quarter in
# that time, so its one ratio lands anywhere in a wide band; two figures minutes apart, alternated, move together.
#
#   benchmarks/batch-ratio.sh [ROUNDS]          (default 3; about 75 s a round)
#
# Each round: PipelineThroughputBenchmark with the shipped wiring (config/conversioni.yaml's stage_threads and
# wait_strategy; -f 1 -wi 3 -w 2s -i 5 -r 2s, as the full run), then a fresh conversioni (`serve --port -1
# --http-port 0`, config/ defaults, CONFIG_SED applies a sed script to its conversioni.yaml, JAR picks another
# server jar) warmed by 20 s of batches and measured as benchmarks/http.sh measures batches (500 events, 4
# connections, closed loop, 2 s warm-up in the generator, 10 s). The target (docs/performance.md, "Pipeline
# efficiency"): the batches at 0.8 of the pipeline or more. Every process it starts is stopped on exit. Never
# fails on a number.
set -euo pipefail
cd "$(dirname "$0")/.."
. benchmarks/lib.sh
rounds=${1:-3}
bench_jar=benchmarks/target/benchmarks.jar
server_jar=${JAR:-cli/target/conversioni.jar}
for f in "$bench_jar" "$server_jar" benchmarks/target/jvm.options cli/target/jvm.options; do
  [ -f "$f" ] || { echo "batch-ratio.sh: $f is missing; build first (mvn -B -q clean package -DskipTests)" >&2; exit 2; }
done
bench_opts=$(cat benchmarks/target/jvm.options)
server_opts=$(cat cli/target/jvm.options)
threads=$(sed -n 's/^  stage_threads: *\([0-9]*\).*/\1/p' config/conversioni.yaml)
wait_strategy=$(sed -n 's/^  wait_strategy: *\([a-z_]*\).*/\1/p' config/conversioni.yaml)
tmp=$(mktemp -d -t conversioni-ratio-XXXXXX)
pid=""
cleanup() {
  [ -n "$pid" ] && { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ratios=()
for round in $(seq 1 "$rounds"); do
  # shellcheck disable=SC2086
  java $bench_opts -jar "$bench_jar" PipelineThroughputBenchmark -p stageThreads="$threads" \
    -p waitStrategy="$wait_strategy" -f 1 -wi 3 -w 2s -i 5 -r 2s -rf json -rff "$tmp/jmh.json" >"$tmp/jmh.log" 2>&1
  pipeline=$(sed -n 's/.*"score" : \([0-9.E]*\),.*/\1/p' "$tmp/jmh.json" | head -1)
  [ -n "$pipeline" ] || { echo "batch-ratio.sh: the pipeline trial gave no score:" >&2; tail -20 "$tmp/jmh.log" >&2; exit 1; }

  rm -rf "$tmp/conv"; mkdir -p "$tmp/conv"; cp -r config "$tmp/conv/config"
  [ -n "${CONFIG_SED:-}" ] && sed -i -e "$CONFIG_SED" "$tmp/conv/config/conversioni.yaml"
  # shellcheck disable=SC2086
  java $server_opts -jar "$server_jar" serve --config "$tmp/conv/config/conversioni.yaml" --data-dir "$tmp/conv/data" \
    --port -1 --http-port 0 >"$tmp/conv.log" 2>&1 &
  pid=$!
  port=$(await_port "$tmp/conv.log" "$READY_PATTERN" "$pid") || exit 1
  # shellcheck disable=SC2086
  token=$(java $server_opts -jar "$server_jar" token --data-dir "$tmp/conv/data" --sub ratio --ttl 1h)
  batches_at() { # LOAD GENERATOR OPTIONS...
    # shellcheck disable=SC2086
    java $bench_opts -cp "$bench_jar" io.conversioni.bench.load.LoadGenerator --url "http://127.0.0.1:$port" \
      --token "$token" --insight-samples 0 --rate max --batch 500 --connections 4 "$@"
  }
  batches_at --duration 20s >/dev/null 2>&1
  batches_at --warmup 2s --duration 10s >"$tmp/lg" 2>&1
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  batches=$(awk '/achieved/{print $4; exit}' "$tmp/lg")
  [ -n "$batches" ] || { echo "batch-ratio.sh: the batch run gave no rate:" >&2; cat "$tmp/lg" >&2; exit 1; }
  ratio=$(awk -v b="$batches" -v p="$pipeline" 'BEGIN { printf "%.3f", b / p }')
  ratios+=("$ratio")
  printf 'round %d: pipeline %.0f events/s, batches over HTTP %.0f events/s: ratio %s (target 0.8)\n' \
    "$round" "$pipeline" "$batches" "$ratio"
done
printf '%s\n' "${ratios[@]}" | sort -g | awk '{ v[NR] = $1 }
  END { printf "median ratio over %d rounds: %.3f (target 0.8)\n", NR, (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
