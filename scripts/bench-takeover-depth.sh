#!/usr/bin/env bash
# Takeover of a deep queue, with real processes, as docs/benchmarks.md reports it:
#   1. broker A serves a fresh file:// queue; `casq push --file JOBS` loads it (timed);
#   2. A gets SIGKILL; once its heartbeat is stale, broker B starts;
#   3. the time from B's process start to its first acknowledged push (curl) is printed, then
#      B's heap after a full GC and a push and a claim served.
# usage: scripts/bench-takeover-depth.sh JOBS.jsonl [casq push options, e.g. --no-keys]
# env: BROKER_JVM (default "-Dcasq.headMaxReadyJobs=2000"), B_JVM (extra options of broker B,
#      e.g. -Xmx512m), CASQ_JAR (default queue-cli/target/casq.jar), DIR (default a temp dir),
#      B_JARS (jars broker B runs, in turn, each taking over from the previous B after SIGKILL;
#      default CASQ_JAR: compares two builds on one loaded queue under the same load), ROUNDS
#      (times to go through B_JARS, default 1)
set -euo pipefail
jobs_file=$1; shift
jar=${CASQ_JAR:-$(dirname "$0")/../queue-cli/target/casq.jar}
broker_jvm=${BROKER_JVM:--Dcasq.headMaxReadyJobs=2000}
dir=${DIR:-$(mktemp -d /tmp/casq-takeover.XXXXXX)}
store="file://$dir/deep.json"
ms() { echo $(( $(date +%s%N) / 1000000 )); }

start_broker() { # name jar extra-jvm-options -> sets pid and url
  local name=$1 broker_jar=$2; shift 2
  rm -f "$dir/$name.out" # not the address of the previous broker of that name
  # shellcheck disable=SC2086
  java $broker_jvm "$@" -jar "$broker_jar" broker --store "$store" --listen 127.0.0.1:0 \
    --heartbeat 500ms --stale-after 2s >"$dir/$name.out" 2>"$dir/$name.err" &
  pid=$!
  until grep -q ' at http' "$dir/$name.out" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { echo "broker $name died:"; tail "$dir/$name.err"; exit 1; }
    sleep 0.05
  done
  url=$(sed -n 's/.* at \(http[^ ]*\).*/\1/p' "$dir/$name.out" | head -1)
}

push_once() {
  curl -s -o /dev/null -w '%{http_code}' -X POST -H 'content-type: application/json' \
    -d '{"payload":{"after":"takeover"}}' "$1/v1/queues/deep/jobs" || true
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
start_broker a "$jar"
a_pid=$pid
t0=$(ms)
java -jar "$jar" push --store "$store" --file "$jobs_file" "$@" 2>&1 | tail -1
echo "load: $(( $(ms) - t0 )) ms (casq push JVM start included)"
kill -9 "$a_pid"; wait "$a_pid" 2>/dev/null || true
for round in $(seq 1 "${ROUNDS:-1}"); do
  for b_jar in ${B_JARS:-$jar}; do
    sleep 3 # the previous broker's heartbeat is stale after 2s
    t0=$(ms)
    # shellcheck disable=SC2086
    start_broker b "$b_jar" ${B_JVM:-}
    b_pid=$pid
    t_serves=$(ms)
    until [ "$(push_once "$url")" = 201 ]; do sleep 0.01; done
    t_push=$(ms)
    echo "takeover ($b_jar, round $round, load $(cut -d" " -f1 /proc/loadavg)): broker B serving $(( t_serves - t0 )) ms, first push acknowledged $(( t_push - t0 )) ms after B's process started"
    curl -s "$url/v1/queues/deep/stats" | head -c 300; echo
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'content-type: application/json' \
      -d '{"worker":"bench","limit":100}' "$url/v1/queues/deep/claim")
    echo "claim of 100: HTTP $code"
    jcmd "$b_pid" GC.run >/dev/null 2>&1 || true
    echo "broker B heap after a full GC: $(jcmd "$b_pid" GC.heap_info 2>/dev/null | grep -Eo 'used [0-9]+K' | head -1)"
    grep -h "idempotency keys of" "$dir/b.out" "$dir/b.err" 2>/dev/null | tail -1 || true
    kill -9 "$b_pid"; wait "$b_pid" 2>/dev/null || true
  done
done
echo "files in $dir (delete when done)"
