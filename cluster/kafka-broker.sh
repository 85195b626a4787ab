#!/usr/bin/env bash
# cluster/kafka-broker.sh: a single-node Kafka broker on loopback (KRaft, broker and controller in one JVM),
# for trying the cluster mode locally and for the benchmarks. Not for production: one broker, replication 1.
#
#   cluster/kafka-broker.sh start [--port N] [--dir DIR]   starts it (or finds it running); prints host:port
#   cluster/kafka-broker.sh stop [--dir DIR]                 SIGTERM, then SIGKILL after 30 s
#   cluster/kafka-broker.sh status [--dir DIR]               prints host:port and exits 0 when it runs
#
# --port: the clients' port (default 9092); the controller listens on port+1.
# --dir:  the broker's folder (default <repo>/data/kafka): server.properties, data/ (the log dir), broker.log.
#         Starting again on the same folder keeps the topics; delete the folder for a fresh broker.
# The broker's class path (Kafka 4.1 from the cluster module's test dependencies) is resolved once with Maven
# into cluster/target/broker-classpath.txt, again when a pom changes. KAFKA_JAVA_OPTS replaces the JVM options.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
cp_file="$here/target/broker-classpath.txt"

usage() {
  echo "usage: $0 start [--port N] [--dir DIR] | stop [--dir DIR] | status [--dir DIR]" >&2
  exit 2
}

[ $# -ge 1 ] || usage
command="$1"
shift
port=9092
dir="$repo/data/kafka"
while [ $# -gt 0 ]; do
  case "$1" in
    --port) [ $# -ge 2 ] || usage; port="$2"; shift 2 ;;
    --dir) [ $# -ge 2 ] || usage; dir="$2"; shift 2 ;;
    *) echo "kafka-broker: unknown option '$1'" >&2; usage ;;
  esac
done
if ! [[ "$port" =~ ^[0-9]+$ ]] || [ "$port" -lt 1024 ] || [ "$port" -gt 65534 ]; then
  echo "kafka-broker: --port must be a number between 1024 and 65534, was '$port'" >&2
  exit 2
fi
[ "$command" != start ] || mkdir -p "$dir"
[ ! -d "$dir" ] || dir="$(cd "$dir" && pwd)"
pid_file="$dir/broker.pid"
log="$dir/broker.log"

running_pid() {
  [ -f "$pid_file" ] || return 1
  local pid
  pid="$(cat "$pid_file")"
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

classpath() {
  if [ ! -s "$cp_file" ] || [ "$repo/pom.xml" -nt "$cp_file" ] || [ "$here/pom.xml" -nt "$cp_file" ]; then
    echo "kafka-broker: resolving the broker's class path with Maven (once)..." >&2
    (cd "$repo" && mvn -B -q -pl cluster -am generate-test-resources >&2) || {
      echo "kafka-broker: Maven could not resolve the broker; run 'mvn -pl cluster -am generate-test-resources' to see why" >&2
      exit 1
    }
  fi
  cat "$cp_file"
}

write_config() {
  local controller=$((port + 1))
  cat > "$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
  cat > "$dir/logback.xml" <<EOF
<configuration>
  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
    <file>$log</file>
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{20} %msg%n</pattern></encoder>
  </appender>
  <logger name="kafka.server.KafkaRaftServer" level="INFO"/>
  <root level="WARN"><appender-ref ref="FILE"/></root>
</configuration>
EOF
  echo "$port" > "$dir/port"
}

java_cmd() {
  # shellcheck disable=SC2206
  cmd=("${JAVA:-java}" ${KAFKA_JAVA_OPTS:--Xms256m -Xmx512m} -Djava.awt.headless=true
    -Dlogback.configurationFile="$dir/logback.xml" -cp "$cp" "$@")
}

start() {
  local pid
  if pid="$(running_pid)"; then
    echo "kafka-broker: already running (pid $pid) in $dir" >&2
    echo "127.0.0.1:$(cat "$dir/port")"
    return 0
  fi
  cp="$(classpath)"
  write_config
  if [ ! -f "$dir/data/meta.properties" ]; then
    local id
    # a cluster id as StorageTool random-uuid makes it (16 random bytes, base64url, not starting with '-'),
    # without a JVM start of its own
    local id="-"
    while [[ "$id" == -* ]]; do
      id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
    done
    java_cmd kafka.tools.StorageTool format -t "$id" -c "$dir/server.properties"
    "${cmd[@]}" >> "$log" 2>&1 || {
      echo "kafka-broker: formatting $dir/data failed; see $log" >&2
      exit 1
    }
  fi
  local from
  from=$(( $( [ -f "$log" ] && stat -c %s "$log" || echo 0 ) + 1 ))
  java_cmd kafka.Kafka "$dir/server.properties"
  # nohup and setsid exec in place: $! is the broker's JVM, in a session of its own (a closed terminal leaves it)
  nohup setsid "${cmd[@]}" >> "$log" 2>&1 < /dev/null &
  pid=$!
  echo "$pid" > "$pid_file"
  local deadline=$((SECONDS + 90))
  until tail -c "+$from" "$log" 2>/dev/null | grep -q "Kafka Server started"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$pid_file"
      echo "kafka-broker: the broker exited while starting; the end of $log:" >&2
      tail -n 20 "$log" >&2
      exit 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      echo "kafka-broker: no 'Kafka Server started' within 90 s; see $log (still running as pid $pid)" >&2
      exit 1
    fi
    sleep 0.2
  done
  echo "kafka-broker: started (pid $pid) in $dir" >&2
  echo "127.0.0.1:$port"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    echo "kafka-broker: not running in $dir" >&2
    rm -f "$pid_file"
    return 0
  fi
  kill -TERM "$pid"
  local deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then
      echo "kafka-broker: no exit 30 s after SIGTERM; sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    sleep 0.2
  done
  rm -f "$pid_file"
  echo "kafka-broker: stopped" >&2
}

case "$command" in
  start) start ;;
  stop) stop ;;
  status)
    if pid="$(running_pid)"; then
      echo "127.0.0.1:$(cat "$dir/port")"
    else
      echo "kafka-broker: not running in $dir" >&2
      exit 1
    fi
    ;;
  *) usage ;;
esac
