#!/usr/bin/env bash
# Young-GC pauses of `conversioni serve` under HTTP load, with the phases that grow with what the ring's old
# slots hold: a fresh server (config/ defaults, JAR picks another server jar), driven by the load generator at
# maximum for WARM (default 10s), then at RATE (open loop) for SECS seconds, with -Xlog:gc*=debug; SERVER_OPTS adds
# JVM options to the server (e.g. SERVER_OPTS=-Xms1g).
#
#   benchmarks/gc.sh [RATE] [SECS]          (defaults: 15000, 10)
#
# Prints the load generator's latency line, then, over the pauses of the RATE phase (its warm-up included), the
# bytes the server allocated per request (from the heap before and after each pause; RATE must be a number)
# and the means over the last 10: pause length, cards
# G1 redirtied (old cards still referring to young objects afterwards), bytes copied, and "Scan Heap Roots"
# summed over the GC workers. Alternate two builds (JAR=...) to compare them: this host's noise lands in the
# pause too. Every process it starts is stopped on exit. Never fails on a number.
set -euo pipefail
cd "$(dirname "$0")/.."
. benchmarks/lib.sh
rate=${1:-15000}
secs=${2:-10}
bench_jar=benchmarks/target/benchmarks.jar
server_jar=${JAR:-cli/target/conversioni.jar}
for f in "$bench_jar" "$server_jar" benchmarks/target/jvm.options cli/target/jvm.options; do
  [ -f "$f" ] || { echo "gc.sh: $f is missing; build first (mvn -B -q clean package -DskipTests)" >&2; exit 2; }
done
bench_opts=$(cat benchmarks/target/jvm.options)
server_opts=$(cat cli/target/jvm.options)
tmp=$(mktemp -d -t conversioni-gc-XXXXXX)
pid=""
cleanup() {
  [ -n "$pid" ] && { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cp -r config "$tmp/config"
sed -i -e "s/^  bind: .*/  bind: 127.0.0.1/" "$tmp/config/conversioni.yaml"
# shellcheck disable=SC2086
java $server_opts ${SERVER_OPTS:-} -Xlog:gc*=debug:file="$tmp/gc.log" -jar "$server_jar" serve --config "$tmp/config/conversioni.yaml" \
  --data-dir "$tmp/data" --port -1 --http-port 0 >"$tmp/server.log" 2>&1 &
pid=$!
port=$(await_port "$tmp/server.log" "$READY_PATTERN" "$pid") || exit 1
# shellcheck disable=SC2086
token=$(java $server_opts -jar "$server_jar" token --data-dir "$tmp/data" --sub bench --ttl 1h)
lg="java $bench_opts -cp $bench_jar io.conversioni.bench.load.LoadGenerator --url http://127.0.0.1:$port --token $token"
lg="$lg --connections 16 --drain 5s --insight-samples 0"
$lg --rate max --duration "${WARM:-10s}" >/dev/null
# one line per pause: the end of each young pause, with its heap sizes and length
pauses() { grep -E 'Pause Young.* [0-9.]+ms$' "$tmp/gc.log"; }
before=$(pauses | wc -l) # the pauses of the maximum phase: left out below
$lg --rate "$rate" --warmup 5s --duration "${secs}s" | grep -E 'achieved|latency'

# the last 10 young pauses at RATE (each grep below gives one line per pause) and their phases
at_rate() { if [ "$1" = pauses ]; then pauses; else grep "$1" "$tmp/gc.log"; fi | tail -n +$((before + 1)); }
mean() { tail -10 | awk '{ s += $1 } END { if (NR) printf "%.1f", s / NR; else printf "?" }'; }
pause=$(at_rate pauses | grep -o '[0-9.]*ms$' | tr -d 'ms' | mean)
redirtied=$(at_rate 'Redirtied Cards' | sed 's/.*Sum: *\([0-9]*\).*/\1/' | mean)
copied=$(at_rate 'Copied Bytes' | sed 's/.*Sum: *\([0-9]*\).*/\1/' | awk '{ print $1 / 1e6 }' | mean)
scan=$(at_rate 'Scan Heap Roots' | sed 's/.*Sum: *\([0-9.]*\).*/\1/' | mean)
count=$(at_rate pauses | wc -l)
span=$(at_rate pauses | tail -10 | sed 's/^\[\([0-9.]*\)s\].*/\1/' | awk 'NR == 1 { f = $1 } { l = $1 } END { if (NR > 1) printf "%.1f", (l - f) / (NR - 1); else printf "?" }')
# bytes allocated between the last 11 pauses (heap before a pause minus after the previous one), per request
alloc=$(at_rate pauses | tail -11 | sed 's/^\[\([0-9.]*\)s\].* \([0-9]*\)M->\([0-9]*\)M(.*/\1 \2 \3/' \
  | awk -v r="$rate" 'NR > 1 { b += ($2 - after) * 1048576; t += $1 - at } { at = $1; after = $3 }
      END { if (t > 0 && r + 0 > 0) printf "%.0f", b / (t * r); else printf "?" }')
echo "young pauses at $rate req/s: $count, every $span s lately, $alloc bytes allocated a request between them; the last 10: pause $pause ms, redirtied cards $redirtied, copied $copied MB, Scan Heap Roots $scan ms (summed over workers)"
