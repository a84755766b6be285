#!/usr/bin/env bash
# Starts a throw-away single-node Ceph cluster (one monitor, one in-memory OSD, no auth) with
# radosgw, the Ceph S3 gateway, on 127.0.0.1 for casq's S3 integration tests and benchmarks.
#
#   scripts/rgw-start.sh            # installs the Debian packages if missing, starts, prints the endpoint
#   scripts/rgw-stop.sh             # stops what this script started
#
# Idempotent: if radosgw already answers on the port, it says so and exits 0.
# Data lives in memory: everything is gone when the daemons stop.
#
# Environment (all optional):
#   CASQ_RGW_DIR        working directory for config, logs and pid files (default /tmp/casq-rgw)
#   CASQ_RGW_PORT       S3 port on 127.0.0.1 (default 7480)
#   CASQ_RGW_MON_PORT   monitor port on 127.0.0.1 (default 3300)
#   CASQ_RGW_ACCESS_KEY / CASQ_RGW_SECRET_KEY   S3 credentials of the test user (default access / secret)
#   CASQ_RGW_TIMEOUT    seconds to wait for radosgw to answer (default 120)
set -euo pipefail

DIR=${CASQ_RGW_DIR:-/tmp/casq-rgw}
PORT=${CASQ_RGW_PORT:-7480}
MON_PORT=${CASQ_RGW_MON_PORT:-3300}
ACCESS_KEY=${CASQ_RGW_ACCESS_KEY:-access}
SECRET_KEY=${CASQ_RGW_SECRET_KEY:-secret}
TIMEOUT=${CASQ_RGW_TIMEOUT:-120}
ENDPOINT="http://127.0.0.1:$PORT"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

say() { echo "rgw-start: $*"; }
die() { echo "rgw-start: ERROR: $*" >&2; exit 1; }
now_ms() { date +%s%3N; }

# True when an S3 server answers on the port (anonymous GET / gives an S3 XML document).
rgw_answers() {
  command -v curl >/dev/null 2>&1 || return 1
  curl -s -m 2 "$ENDPOINT/" 2>/dev/null | grep -q 'ListAllMyBucketsResult\|<Error>'
}

print_endpoint() {
  say "endpoint $ENDPOINT (access key '$ACCESS_KEY', secret key '$SECRET_KEY')"
  echo "export CASQ_TEST_S3_ENDPOINT=$ENDPOINT"
}

if rgw_answers; then
  say "radosgw already answers on $ENDPOINT; nothing to do"
  print_endpoint
  exit 0
fi

# 1. Packages.
NEEDED=(ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph curl)
missing=()
for cmd in "${NEEDED[@]}"; do command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd"); done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing ${missing[*]}; run as root to install the Debian packages, or run: sudo apt-get install --no-install-recommends -y ceph-mon ceph-osd radosgw ceph-common curl"
  say "installing Debian packages (missing: ${missing[*]})"
  t0=$(now_ms)
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >"/tmp/casq-rgw-apt.log" 2>&1 || { tail -20 /tmp/casq-rgw-apt.log >&2; die "apt-get update failed (log /tmp/casq-rgw-apt.log)"; }
  apt-get install -qq --no-install-recommends -y ceph-mon ceph-osd radosgw ceph-common curl \
    >>"/tmp/casq-rgw-apt.log" 2>&1 || { tail -20 /tmp/casq-rgw-apt.log >&2; die "apt-get install failed (log /tmp/casq-rgw-apt.log)"; }
  say "packages installed in $(( ($(now_ms) - t0) / 1000 )) s"
fi

# 2. Leftovers of an earlier run that no longer serves S3 (e.g. a monitor still holding its port).
CASQ_RGW_DIR="$DIR" "$HERE/rgw-stop.sh" --quiet || true

t0=$(now_ms)
rm -rf "$DIR"
mkdir -p "$DIR"/{mon,osd0,run,log,rgw}
FSID=$(cat /proc/sys/kernel/random/uuid)
CONF="$DIR/ceph.conf"
cat >"$CONF" <<CONF
[global]
fsid = $FSID
mon host = v2:127.0.0.1:$MON_PORT
public addr = 127.0.0.1
ms bind ipv6 = false
# A test cluster on loopback: no cephx. Without cephx only the crc wire mode works.
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = true
ms mon client mode = crc
ms client mode = crc
ms mon cluster mode = crc
ms mon service mode = crc
ms cluster mode = crc
ms service mode = crc
# One OSD, one replica, few placement groups.
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
# Objects in memory (at most 2 GiB).
osd objectstore = memstore
memstore device bytes = 2147483648
run dir = $DIR/run
admin socket = $DIR/run/\$name.asok
log file = $DIR/log/\$name.log
pid file = $DIR/run/\$name.pid
log to stderr = false
err to stderr = true
[mon]
mon data = $DIR/mon
[osd]
osd data = $DIR/osd0
osd journal = $DIR/osd0/journal
[client]
rgw frontends = beast endpoint=127.0.0.1:$PORT
rgw data = $DIR/rgw
rgw dns name = localhost
rgw enable usage log = false
# Reclaim the data of deleted and overwritten large objects after 30 s instead of 2 h, so that
# repeated test runs do not fill the in-memory OSD.
rgw gc obj min wait = 30
rgw gc processor period = 30
CONF

ceph_cmd() { timeout 60 ceph -c "$CONF" "$@"; }

# 3. Monitor.
monmaptool --create --addv a "[v2:127.0.0.1:$MON_PORT]" --fsid "$FSID" "$DIR/monmap" >/dev/null
ceph-mon -c "$CONF" --mkfs -i a --monmap "$DIR/monmap"
ceph-mon -c "$CONF" -i a

# 4. One OSD in memory.
OSD_UUID=$(cat /proc/sys/kernel/random/uuid)
ceph_cmd osd new "$OSD_UUID" >/dev/null || die "the monitor did not accept the OSD (log $DIR/log/mon.a.log)"
ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$OSD_UUID" >"$DIR/log/osd-mkfs.out" 2>&1 \
  || { cat "$DIR/log/osd-mkfs.out" >&2; die "OSD mkfs failed"; }
ceph-osd -c "$CONF" -i 0 2>>"$DIR/log/osd-start.err" \
  || { cat "$DIR/log/osd-start.err" >&2; die "the OSD did not start (log $DIR/log/osd.0.log)"; }
ceph_cmd osd crush add osd.0 1.0 root=default host=localhost >/dev/null 2>&1 || true

# 5. radosgw, and wait until it serves S3.
radosgw -c "$CONF" -n client.rgw.a
deadline=$(( $(date +%s) + TIMEOUT ))
until rgw_answers; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    tail -20 "$DIR/log/client.rgw.a.log" >&2 2>/dev/null || true
    die "radosgw did not answer on $ENDPOINT within ${TIMEOUT}s (logs in $DIR/log)"
  fi
  sleep 0.5
done

# 6. The S3 user.
if ! radosgw-admin -c "$CONF" user info --uid=casq >/dev/null 2>&1; then
  radosgw-admin -c "$CONF" user create --uid=casq --display-name="casq tests" \
    --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >/dev/null \
    || die "could not create the S3 user (logs in $DIR/log)"
fi

say "radosgw ready in $(( $(now_ms) - t0 )) ms (config $DIR/ceph.conf, logs $DIR/log)"
print_endpoint
