#!/usr/bin/env bash
# A/B timing of two git revisions for changes smaller than this host's swings (bench.paired.PairedBursts):
# both builds run in one JVM, in alternating bursts of the same loop, beside a second copy of the first build
# (the same-code control: how far from 1 noise and placement alone put a ratio).
#
#   benchmarks/paired.sh REV_A REV_B [window|dedupe|decode|pipeline] [CALLS_PER_BURST] [BURSTS]
#
# REV_B may be "." (the working tree). PAIRED_OPTS adds JVM options, e.g. PAIRED_OPTS="-Dmode=EXACT -Dslots=1048576"
# for the dedupe loop (-Dfull=true: the table past its capacity), "-Dthreads=1 -Dwait=blocking" for the pipeline loop
# (revisions from 0c30584 on: it uses SeededTraffic.next; "-Dcpu=true": CPU ns per event of the publisher and the engine's
# threads instead of wall ns, for a host whose load swings). Prints the median ns per call of each build and its median per-burst ratio to REV_A.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { sed -n '2,10p' "$0"; exit 2; }
rev_a=$1; rev_b=$2; loop=${3:-window}
case "$loop" in
  window) class=WindowUpdateLoop; calls=${4:-200000} ;;
  dedupe) class=DedupeLoop; calls=${4:-200000} ;;
  decode) class=DecodeValidateLoop; calls=${4:-20000} ;;
  pipeline) class=PipelineLoop; calls=${4:-20000} ;;
  *) echo "unknown loop '$loop': window, dedupe, decode or pipeline" >&2; exit 2 ;;
esac
bursts=${5:-100}
work=$(mktemp -d)
cleanup() {
  for dir in "$work"/tree-*; do [ -d "$dir" ] && git worktree remove --force "$dir" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# the working tree: the runner and the loop sources come from here
mvn -B -q -Dstyle.color=never package -DskipTests -pl benchmarks -am
opts=$(cat benchmarks/target/jvm.options)

build() { # REV NAME -> prints the classpath of that revision's benchmarks jar plus the loops compiled against it
  local rev=$1 name=$2 jar
  if [ "$rev" = "." ]; then
    jar=$PWD/benchmarks/target/benchmarks.jar
  else
    git worktree add --detach "$work/tree-$name" "$rev" >/dev/null 2>&1
    (cd "$work/tree-$name" && mvn -B -q -Dstyle.color=never package -DskipTests -pl benchmarks -am >&2)
    jar=$work/tree-$name/benchmarks/target/benchmarks.jar
  fi
  mkdir -p "$work/loops-$name"
  javac --release 17 -nowarn -d "$work/loops-$name" -cp "$jar" benchmarks/src/main/java/io/conversioni/bench/paired/*Loop.java
  echo "$work/loops-$name:$jar"
}
echo "building $rev_a and $rev_b" >&2
cp_a=$(build "$rev_a" a)
cp_b=$(build "$rev_b" b)
# shellcheck disable=SC2086
java $opts ${PAIRED_OPTS:-} -Dconversioni.checks=false \
  -cp benchmarks/target/benchmarks.jar io.conversioni.bench.paired.PairedBursts \
  "io.conversioni.bench.paired.$class" "$calls" "$bursts" "$cp_a" "$cp_b" "$cp_a" \
  | sed -e "s|$work/loops-a:[^ ]*|$rev_a|" -e "s|$work/loops-b:[^ ]*|$rev_b|"
echo "(build 2 is $rev_a again: the same-code control)"
