#!/usr/bin/env bash
# Runs casq's JMH benchmarks (test scope of queue-core). Arguments go to JMH, e.g.
#   scripts/bench.sh EmbeddedPushBenchmark -p store=file -p pending=1000
#   scripts/bench.sh -h          # JMH's options
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl queue-core -am install -DskipTests >/dev/null
mvn -B -q -pl queue-core dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench.classpath >/dev/null
CP="queue-core/target/test-classes:queue-core/target/classes:$(cat queue-core/target/bench.classpath)"
exec java -cp "$CP" org.openjdk.jmh.Main "$@"
