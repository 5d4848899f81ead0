#!/usr/bin/env bash
# Installs the servers the cloud store tests start (tests/ObjectLog.Cloud.Tests), idempotently:
#   - Azurite and s3rver from npm into tests/servers/node_modules (versions pinned in package-lock.json);
#   - Ceph (monitor, OSD, RADOS Gateway) from Debian's packages, when run as root;
#   - faketime (libfaketime) from Debian's packages, when run as root: the skewed-clock tests run objlog under it;
#   - zstd and gzip from Debian's packages, when run as root: the outside-reader tests decode stored objects with
#     zstdcat and zcat;
#   - chromium from Debian's packages, when run as root: the browser tests of `objlog ui` (tests/ObjectLog.Tests/Ui)
#     drive it with Playwright (never `playwright install`, whose browser downloads are not reachable).
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

# Debian packages, installed in one apt-get run when any is missing (needs root).
# libfaketime.so.1 is looked for where Debian puts it, as the skewed-clock tests do.
faketime_library() { ls /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1 2>/dev/null | head -n 1 || true; }
apt_packages=()
if command -v radosgw >/dev/null && command -v ceph-mon >/dev/null && command -v ceph-osd >/dev/null; then
    echo "ceph: already installed"
else
    apt_packages+=(ceph-mon ceph-osd ceph-mgr radosgw ceph-common)
fi
if [[ -n $(faketime_library) ]]; then
    echo "faketime: already installed"
else
    apt_packages+=(faketime)
fi
if command -v zstdcat >/dev/null && command -v zcat >/dev/null; then
    echo "zstd and gzip: already installed"
else
    apt_packages+=(zstd gzip)
fi
if command -v chromium >/dev/null; then
    echo "chromium: already installed"
else
    apt_packages+=(chromium)
fi

if (( ${#apt_packages[@]} == 0 )); then
    :
elif [[ $(id -u) == 0 ]]; then
    echo "apt: installing ${apt_packages[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
else
    echo "apt: ${apt_packages[*]} not installed, and installing needs root: run 'sudo bash $0'." >&2
    echo "     Without Ceph, point the S3 tests at an endpoint with OBJECTLOG_TEST_S3_ENDPOINT (see tests/servers/README.md);" >&2
    echo "     without faketime (libfaketime), the skewed-clock tests fail saying so;" >&2
    echo "     without zstd and gzip (zstdcat, zcat), the outside-reader tests fail saying so;" >&2
    echo "     without chromium, the browser tests of objlog ui fail saying so." >&2
fi
