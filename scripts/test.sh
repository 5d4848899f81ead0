#!/usr/bin/env bash
# Runs ObjectLog's whole test suite, servers included, on a fresh machine.
# Installs what the server-backed tests need (tests/servers/install.sh), then runs every test project.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -f tests/servers/install.sh ]]; then
  bash tests/servers/install.sh
fi

dotnet test ObjectLog.slnx --configuration Release --logger "console;verbosity=normal" "$@"
