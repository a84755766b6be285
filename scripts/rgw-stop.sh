#!/usr/bin/env bash
# Stops the radosgw test cluster started by scripts/rgw-start.sh, by the pid files it wrote.
# Stops nothing else. Safe to run when nothing is running.
#   CASQ_RGW_DIR   the directory given to rgw-start.sh (default /tmp/casq-rgw)
#   --quiet        print nothing when there was nothing to stop
set -uo pipefail
DIR=${CASQ_RGW_DIR:-/tmp/casq-rgw}
QUIET=${1:-}
DAEMONS=(client.rgw.a osd.0 mon.a)

pid_of() {
  local f="$DIR/run/$1.pid"
  [ -f "$f" ] && cat "$f"
}
alive() {
  local pid
  pid=$(pid_of "$1") && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

stopped=()
for d in "${DAEMONS[@]}"; do
  if alive "$d"; then
    kill "$(pid_of "$d")" 2>/dev/null && stopped+=("$d")
  fi
done
if [ ${#stopped[@]} -eq 0 ]; then
  [ "$QUIET" = --quiet ] || echo "rgw-stop: nothing running (pid files in $DIR/run)"
  exit 0
fi
for _ in $(seq 1 40); do
  any=0
  for d in "${DAEMONS[@]}"; do alive "$d" && any=1; done
  [ $any = 0 ] && break
  sleep 0.25
done
for d in "${DAEMONS[@]}"; do
  if alive "$d"; then
    kill -9 "$(pid_of "$d")" 2>/dev/null
    echo "rgw-stop: $d did not stop in 10 s; killed it"
  fi
done
echo "rgw-stop: stopped ${stopped[*]}"
