#!/usr/bin/env bash
# Runs a benchmark main class from queue-core's test scope, e.g.
#   scripts/bench-main.sh dev.casq.core.bench.LatencyScalingBenchmark 100 10 1 10 100 1000
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl queue-core -am install -DskipTests >/dev/null
mvn -B -q -pl queue-core dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench.classpath >/dev/null
CP="queue-core/target/test-classes:queue-core/target/classes:$(cat queue-core/target/bench.classpath)"
exec java -XX:+UseParallelGC -cp "$CP" "$@"
