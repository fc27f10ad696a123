#!/usr/bin/env bash
# Runs every SecretAdmin test project. Installs what the tests need when it is missing, so it
# works on a fresh machine that has only the .NET 10 SDK. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null 2>&1; then
  echo "tests/run.sh: the .NET 10 SDK (dotnet) is required; install it and run again." >&2
  exit 1
fi

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

dotnet build SecretAdmin.sln --nologo
status=0
dotnet test SecretAdmin.sln --no-build --nologo 2>&1 | tee "$results/test.log" || status=$?

# One closing line over all projects, e.g. "150 passed, 0 failed".
awk -F'[:,]' '/^(Passed|Failed)!/ { failed += $2; passed += $4 } END { printf "%d passed, %d failed\n", passed, failed }' "$results/test.log"
exit "$status"
