#!/usr/bin/env bash
# Runs the JMH benchmarks (always with -prof gc) and writes benchmarks/results/latest.json and
# benchmarks/results/latest.md. Fails when a benchmark errors or an engine stage allocates per event;
# never on a timing. --quick: one short fork per stage (about 2 minutes), peers left out; default: the
# full set, including the peers in io.conversioni.bench.peers (the Jackson + Redis one needs redis-server).
set -euo pipefail
cd "$(dirname "$0")/.."
quick=false
[ "${1:-}" = "--quick" ] && quick=true

mvn -B -q clean package -DskipTests -pl engine,benchmarks -am
jar=benchmarks/target/benchmarks.jar
opts=$(cat benchmarks/target/jvm.options)
out=benchmarks/results
mkdir -p "$out"
raw=$(mktemp -t conversioni-jmh-XXXXXX.json)
trap 'rm -f "$raw"' EXIT

if $quick; then
  # shellcheck disable=SC2086
  java $opts -jar "$jar" \
    'DecodeValidateBenchmark.conversioniDecodeValidate|DedupeBenchmark|WindowUpdateBenchmark.onEvent$|JournalAppendBenchmark.appendEvent|PipelineThroughputBenchmark' \
    -p mode=PROXIMITY -p capacitySlots=131072 -p durability=ASYNC -p waitStrategy=sleeping -p stageThreads=2 \
    -e '\.peers\.' -f 1 -wi 1 -i 2 -w 1s -r 1s -foe true -prof gc -rf json -rff "$raw"
else
  exclude=()
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "SKIPPED JacksonRedisPeerBenchmark: redis-server is not installed (apt-get install -y redis-server)" >&2
    exclude=(-e JacksonRedisPeerBenchmark)
  fi
  # shellcheck disable=SC2086
  java $opts -jar "$jar" ${exclude[@]+"${exclude[@]}"} -f 1 -wi 3 -i 5 -w 2s -r 2s -foe true -prof gc -rf json -rff "$raw"
fi
# shellcheck disable=SC2086
java $opts -cp "$jar" io.conversioni.bench.ResultsReport "$raw" "$out/latest.json" "$out/latest.md"
