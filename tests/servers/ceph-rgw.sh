#!/usr/bin/env bash
# A throwaway single-node Ceph cluster with an S3 gateway, for tests: one monitor, one OSD on memstore (RAM,
# no block device), and radosgw, all on 127.0.0.1, all state under DIR, running as the calling user (root).
#
#   ceph-rgw.sh start DIR RGW_PORT [MON_PORT]   bring it up; prints "ready" when S3 answers on RGW_PORT
#   ceph-rgw.sh stop DIR                        stop the daemons started in DIR (by their pid files)
#
# The gateway has one user with the access key and secret below (env CEPH_RGW_ACCESS_KEY / _SECRET_KEY
# override them). Needs the Debian packages that install.sh installs.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
[[ -n "$cmd" && -n "$dir" ]] || { echo "usage: $0 start DIR RGW_PORT [MON_PORT] | stop DIR" >&2; exit 2; }

stop() {
    local name pid
    for name in client.rgw.a osd.0 mon.a; do
        [[ -f "$dir/run/$name.pid" ]] || continue
        pid=$(cat "$dir/run/$name.pid")
        kill "$pid" 2>/dev/null || true
    done
    for name in client.rgw.a osd.0 mon.a; do
        [[ -f "$dir/run/$name.pid" ]] || continue
        pid=$(cat "$dir/run/$name.pid")
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
        rm -f "$dir/run/$name.pid"
    done
}

if [[ "$cmd" == stop ]]; then
    stop
    exit 0
fi

[[ "$cmd" == start ]] || { echo "unknown command '$cmd'" >&2; exit 2; }
rgw_port=${3:?RGW_PORT is required}
mon_port=${4:-$((rgw_port + 1))}
access_key=${CEPH_RGW_ACCESS_KEY:-objectlog-test}
secret_key=${CEPH_RGW_SECRET_KEY:-objectlog-test-secret}

for tool in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph; do
    command -v "$tool" >/dev/null || { echo "$tool is not installed: run 'sudo bash tests/servers/install.sh'" >&2; exit 3; }
done
[[ $(id -u) == 0 ]] || { echo "the Ceph test cluster must run as root" >&2; exit 3; }

mkdir -p "$dir"/{run,log,mon/a,osd/0,rgw}
dir=$(cd "$dir" && pwd)
trap 'echo "start failed; logs in $dir/log" >&2; stop' ERR
fsid=$(uuidgen)
conf="$dir/ceph.conf"
cat > "$conf" <<EOF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
mon initial members = a
public addr = 127.0.0.1
public network = 127.0.0.0/8
ms bind ipv4 = true
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
run dir = $dir/run
admin socket = $dir/run/\$name.asok
pid file = $dir/run/\$name.pid
log file = $dir/log/\$name.log
keyring = $dir/keyring
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000

[mon]
mon data = $dir/mon/\$id

[osd]
osd data = $dir/osd/\$id
osd objectstore = memstore
memstore device bytes = 2147483648

[client]
ms mon client mode = crc

[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$rgw_port tcp_nodelay=1
rgw data = $dir/rgw
EOF

log() { echo "$(date +%T) $*" >&2; }
c() { ceph -c "$conf" --connect-timeout 30 "$@"; }

log "monitor on 127.0.0.1:$mon_port"
monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" "$dir/monmap" >/dev/null
ceph-mon -c "$conf" --mkfs -i a --monmap "$dir/monmap" >/dev/null
ceph-mon -c "$conf" -i a

log "osd on memstore"
osd_uuid=$(uuidgen)
osd_id=$(c osd new "$osd_uuid")
ceph-osd -c "$conf" -i "$osd_id" --mkfs --osd-uuid "$osd_uuid" >/dev/null 2>&1
ceph-osd -c "$conf" -i "$osd_id"

log "rgw user"
radosgw-admin -c "$conf" user create --uid objectlog-test --display-name "ObjectLog tests" \
    --access-key "$access_key" --secret-key "$secret_key" >/dev/null

log "radosgw on 127.0.0.1:$rgw_port"
radosgw -c "$conf" -n client.rgw.a
for _ in $(seq 600); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$rgw_port") 2>/dev/null; then
        log "ready"
        echo "ready"
        exit 0
    fi
    sleep 0.1
done
echo "radosgw did not open port $rgw_port within 60 s; see $dir/log" >&2
stop
exit 1
