#!/usr/bin/env bash
# Runs every SecretAdmin test project. Installs what the tests need when it is missing, so it
# works on a fresh machine that has only the .NET 10 SDK. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null 2>&1; then
  echo "tests/run.sh: the .NET 10 SDK (dotnet) is required; install it and run again." >&2
  exit 1
fi

# The test peers (tests/peers): real SMTP and OpenID Connect servers in Node.js that the tests
# start on 127.0.0.1. Install their pinned npm packages when missing or older than the lock file.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "tests/run.sh: Node.js 20 or later with npm is required for the test peers (tests/peers); install it (e.g. apt-get install nodejs npm) and run again." >&2
  exit 1
fi
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
  echo "tests/run.sh: the test peers need Node.js 20 or later; found $(node --version)." >&2
  exit 1
fi
if [ ! tests/peers/node_modules/.package-lock.json -nt tests/peers/package-lock.json ]; then
  echo "tests/run.sh: installing the test peers' npm packages (npm ci --prefix tests/peers)"
  npm ci --prefix tests/peers --no-audit --no-fund || {
    echo "tests/run.sh: npm ci --prefix tests/peers failed; the test peers cannot run." >&2
    exit 1
  }
fi

# The browser tests (tests/SecretAdmin.EndToEnd) drive the machine's Chromium at /usr/bin/chromium
# through Playwright; `playwright install` is never used (it downloads a browser, which cannot work here).
if ! command -v chromium >/dev/null 2>&1; then
  echo "tests/run.sh: installing Chromium for the browser tests (apt-get install chromium)"
  if command -v apt-get >/dev/null 2>&1; then
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } || true
  fi
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "tests/run.sh: the browser tests need Chromium at /usr/bin/chromium, and it is missing; install it (as root: apt-get update && apt-get install -y chromium) and run again." >&2
  exit 1
fi

# The PKCS#11 master-key tests drive a real SoftHSM2: its library and softhsm2-util. The tests make
# their own throw-away tokens under a temp folder; nothing is set up here.
softhsm_module=/usr/lib/softhsm/libsofthsm2.so
if [ ! -e "$softhsm_module" ] || ! command -v softhsm2-util >/dev/null 2>&1; then
  echo "tests/run.sh: installing SoftHSM2 for the PKCS#11 tests (apt-get install softhsm2)"
  if command -v apt-get >/dev/null 2>&1; then
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q softhsm2; } || true
  fi
fi
if [ ! -e "$softhsm_module" ] || ! command -v softhsm2-util >/dev/null 2>&1; then
  echo "tests/run.sh: the PKCS#11 tests need SoftHSM2 ($softhsm_module and softhsm2-util), and it is missing; install it (as root: apt-get update && apt-get install -y softhsm2) and run again." >&2
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
