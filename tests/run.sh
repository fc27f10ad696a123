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

# The several-nodes rehearsal (tests/SecretAdmin.EndToEnd) puts Debian's haproxy, run with
# deploy/haproxy.cfg, in front of two nodes; it starts its own on loopback ports.
if ! command -v haproxy >/dev/null 2>&1 && [ ! -x /usr/sbin/haproxy ]; then
  echo "tests/run.sh: installing haproxy for the several-nodes rehearsal (apt-get install haproxy)"
  if command -v apt-get >/dev/null 2>&1; then
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q haproxy; } || true
  fi
fi
if [ ! -x /usr/sbin/haproxy ]; then
  echo "tests/run.sh: the several-nodes rehearsal needs haproxy at /usr/sbin/haproxy, and it is missing; install it (as root: apt-get update && apt-get install -y haproxy) and run again." >&2
  exit 1
fi

# PostgreSQL: the service, data, command and HTTP tests run a second time against a throw-away
# cluster on a free loopback port, owned by the postgres user in a temporary folder, stopped at the
# end however the run ends. initdb refuses to run as root, hence runuser.
pg_bin=""
find_pg_bin() { pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"; }
find_pg_bin
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  echo "tests/run.sh: installing PostgreSQL for the tests on PostgreSQL (apt-get install postgresql)"
  if command -v apt-get >/dev/null 2>&1; then
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql; } || true
  fi
  find_pg_bin
fi
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  echo "tests/run.sh: the tests on PostgreSQL need PostgreSQL's server (initdb, pg_ctl under /usr/lib/postgresql/<version>/bin), and it is missing; install it (as root: apt-get update && apt-get install -y postgresql) and run again." >&2
  exit 1
fi

results="$(mktemp -d)"
pg_dir="$(mktemp -d)"
pg_started=""
cleanup() {
  if [ -n "$pg_started" ]; then
    as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" stop -m immediate >/dev/null 2>&1 || true
  fi
  rm -rf "$results" "$pg_dir"
}
trap cleanup EXIT

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ "$(id -u)" = 0 ]; then chown postgres "$pg_dir"; fi
as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U postgres --no-sync >"$pg_dir/initdb.log" 2>&1 || {
  cat "$pg_dir/initdb.log" >&2
  echo "tests/run.sh: initdb failed; the tests on PostgreSQL cannot run." >&2
  exit 1
}
# A test cluster: durability is not needed, speed is (fsync and friends off), and many test
# databases are open at once. A random loopback port, another one if it is taken.
for attempt in 1 2 3 4 5 6 7 8; do
  pg_port=$((20000 + RANDOM % 40000))
  if as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -w -t 60 -l "$pg_dir/server.log" \
      -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" start >/dev/null; then
    pg_started=yes
    break
  fi
done
if [ -z "$pg_started" ]; then
  cat "$pg_dir/server.log" >&2
  echo "tests/run.sh: PostgreSQL did not start on a loopback port; the tests on PostgreSQL cannot run." >&2
  exit 1
fi
postgres_server="Host=127.0.0.1;Port=$pg_port;Username=postgres"

dotnet build SecretAdmin.sln --nologo

# The service and command tests start the app as a process many times, and each start spends
# most of its CPU compiling. A ReadyToRun publish of the same sources (its own output folder; the build
# above is untouched) halves that; the tests run it when SECRETADMIN_TEST_EXECUTABLE names it.
case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64) rid=linux-arm64 ;;
  *) rid="" ;;
esac
if [ -n "$rid" ]; then
  dotnet publish src/SecretAdmin -c Debug -r "$rid" --self-contained false -p:PublishReadyToRun=true \
    -o "$results/app" --nologo -v quiet
  export SECRETADMIN_TEST_EXECUTABLE="$results/app/SecretAdmin.dll"
fi
status=0
# The browser tests' several-nodes rehearsal makes its own database on this server (a connection
# string without a database). Not SECRETADMIN_TEST_POSTGRES: that one moves the unit tests onto
# PostgreSQL, which is the second pass below.
SECRETADMIN_TEST_POSTGRES_SERVER="$postgres_server" dotnet test SecretAdmin.sln --no-build --nologo --filter "Engine!=PostgreSQL" 2>&1 | tee "$results/test.log" || status=$?

# The same service, data, command and HTTP tests on PostgreSQL; the tests of SQLite's own files
# (Engine=SQLite) have no counterpart there, and those of PostgreSQL's own locks (Engine=PostgreSQL)
# run here alone.
echo "tests/run.sh: the tests again on PostgreSQL 127.0.0.1:$pg_port"
SECRETADMIN_TEST_POSTGRES="$postgres_server" dotnet test tests/SecretAdmin.Tests --no-build --nologo --filter "Engine!=SQLite" 2>&1 | tee -a "$results/test.log" || status=$?

# Four test runs end with a result line each (three projects, then the tests on PostgreSQL); a run
# that was aborted or killed leaves none, and must not pass for a clean one.
runs="$(grep -cE '^(Passed|Failed)!' "$results/test.log" || true)"
if [ "$runs" -ne 4 ]; then
  echo "tests/run.sh: $runs of 4 test runs reported a result; one was aborted (see its output above)." >&2
  status=1
fi

# One closing line over all projects, e.g. "150 passed, 0 failed".
awk -F'[:,]' '/^(Passed|Failed)!/ { failed += $2; passed += $4 } END { printf "%d passed, %d failed\n", passed, failed }' "$results/test.log"
exit "$status"
