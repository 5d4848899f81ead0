#!/usr/bin/env bash
# Runs ObjectLog's whole test suite, servers included, on a fresh machine.
# Installs what the server-backed tests need (tests/servers/install.sh), then runs every test project.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -f tests/servers/install.sh ]]; then
  bash tests/servers/install.sh
fi

# The failures are printed again at the end: the projects run side by side, so their lines are interleaved, and
# a log kept only by its tail would otherwise lose the one that failed.
output=$(mktemp)
trap 'rm -f "$output"' EXIT
status=0
dotnet test ObjectLog.slnx --configuration Release --logger "console;verbosity=normal" "$@" 2>&1 | tee "$output" || status=$?
if (( status != 0 )); then
  echo "==== objectlog tests: failed (exit $status); each failure again ===="
  grep -E -A 15 '^\s+Failed [A-Za-z_]' "$output" || echo "(no failed test is named above: see the build or test host errors)"
fi
exit "$status"
