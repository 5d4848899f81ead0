#!/usr/bin/env bash
# Installs the servers the cloud store tests start (tests/ObjectLog.Cloud.Tests), idempotently:
#   - Azurite and s3rver from npm into tests/servers/node_modules (versions pinned in package-lock.json);
#   - Ceph (monitor, OSD, RADOS Gateway) from Debian's packages, when run as root.
# Takes about a minute the first time and a few seconds after that. Needs node 20+ and npm on PATH.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

command -v npm >/dev/null || { echo "npm is not installed: install Node.js 20 or later (apt-get install nodejs npm)" >&2; exit 1; }
if [[ -f "$here/node_modules/azurite/dist/src/blob/main.js" && -f "$here/node_modules/s3rver/bin/s3rver.js" \
      && "$here/node_modules/.package-lock.json" -nt "$here/package-lock.json" ]]; then
    echo "azurite and s3rver: already installed"
else
    echo "azurite and s3rver: installing with npm ci"
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

ceph_packages=(ceph-mon ceph-osd ceph-mgr radosgw ceph-common)
if command -v radosgw >/dev/null && command -v ceph-mon >/dev/null && command -v ceph-osd >/dev/null; then
    echo "ceph: already installed"
elif [[ $(id -u) == 0 ]]; then
    echo "ceph: installing ${ceph_packages[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${ceph_packages[@]}" >/dev/null
else
    echo "ceph: not installed, and installing it needs root: run 'sudo bash $0'," >&2
    echo "      or point the S3 tests at an endpoint with OBJECTLOG_TEST_S3_ENDPOINT (see tests/servers/README.md)" >&2
fi
