#!/usr/bin/env bash
# `make bench`, policy part (also runs alone): 100,000 booked meetings seeded into SQLite (and
# PostgreSQL when reachable), then wrk asks the policy endpoint about a mix of aliases the way
# Conferencing Nodes do (sip: with an upper-case domain, numeric, unknown), with Basic
# credentials. Prints a Markdown table for BENCHMARKS.md.
# DURATION, CONNECTIONS, THREADS and CONFERENCES can be set.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-15s}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
CONFERENCES="${CONFERENCES:-100000}"
SERVICE_PORT="${POLICY_PORT:-18082}"
POLICY_USER=infinity
POLICY_PASSWORD=bench-policy-password

cargo build --release -q -p vmr-scheduler --bin vmr-scheduler
cargo build --release -q -p vmr-scheduler-tests --bin dev-idp --bin policy-seed
BIN=target/release

WORK="$(mktemp -d)"
cleanup() {
  kill ${SERVICE_PID:-} 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

"$BIN/dev-idp" init "$WORK/keys" >/dev/null
printf '%s\n' "$POLICY_PASSWORD" > "$WORK/policy-password"
write_config() { # database-url
cat > "$WORK/policy.toml" <<TOML
[server]
listen = "127.0.0.1:$SERVICE_PORT"
public_url = "http://localhost:$SERVICE_PORT"
[database]
url = "$1"
[logging]
level = "warn"
[policy]
username = "$POLICY_USER"
password = { file = "policy-password" }
allowed_nodes = ["127.0.0.1"]
[integrations.bench]
equipment_resource = { name = "Video Meeting Room", email = "vmr@example.com" }
aliases = { prefix = "meet", domain = "vc.example.com", suffix_length = 9, numeric_prefix = "81" }
[integrations.bench.policy]
view = "one_main_seven_pips"
[integrations.bench.auth.entra]
tenant_id = "9188040d-6c67-4c5b-b112-36a304b66dad"
audiences = ["api://localhost/0b1e6f3a-5c2d-4e7f-8a9b-1c2d3e4f5a6b"]
jwks_file = "keys/jwks.json"
TOML
}

wait_for_health() {
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "http://127.0.0.1:$SERVICE_PORT/healthz" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "service did not come up" >&2; cat "$WORK/service.log" >&2; exit 1
}

URL="http://127.0.0.1:$SERVICE_PORT/"
measure() { # name database-url
  write_config "$2"
  "$BIN/policy-seed" "$2" "$CONFERENCES" "$WORK/policy.lua" "$POLICY_USER" "$POLICY_PASSWORD"
  "$BIN/vmr-scheduler" --config "$WORK/policy.toml" serve 2> "$WORK/service.log" &
  SERVICE_PID=$!
  wait_for_health
  # The mix must get real answers: a meeting open now gets its room, a later one is refused.
  ask() { curl -fsS -u "$POLICY_USER:$POLICY_PASSWORD" "${URL}policy/v1/service/configuration?local_alias=$1"; }
  ask "sip%3Ameet000000000%40VC.Example.com" | grep -q '"service_type":"conference"' \
    || { echo "policy: no room for a meeting open now" >&2; exit 1; }
  ask "81000000001" | grep -q '"action":"reject"' \
    || { echo "policy: a later meeting was not refused" >&2; exit 1; }
  wrk -t"$THREADS" -c"$CONNECTIONS" -d3s --latency -s "$WORK/policy.lua" "$URL" > /dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WORK/policy.lua" "$URL" > "$WORK/$1.txt"
  awk '/VmHWM/ {print $2}' "/proc/$SERVICE_PID/status" > "$WORK/$1.rss"
  kill "$SERVICE_PID"; wait "$SERVICE_PID" 2>/dev/null || true; SERVICE_PID=
}


measure policy_sqlite "sqlite://$WORK/policy.db"
PG_ADMIN="${VMR_BENCH_POSTGRES_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/test}"
PG_DB="vmr_policy_bench_$$"
if psql "$PG_ADMIN" -qc "CREATE DATABASE $PG_DB" 2>/dev/null; then
  measure policy_postgres "${PG_ADMIN%/*}/$PG_DB"
  psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
else
  echo "no PostgreSQL reachable at $PG_ADMIN: measuring SQLite only" >&2
fi

metric() { # file field
  case "$2" in
    rps) awk '/Requests\/sec/ {print $2}' "$1" ;;
    p50) awk '/^ +50%/ {print $2}' "$1" ;;
    p99) awk '/^ +99%/ {print $2}' "$1" ;;
    non2xx) awk '/Non-2xx/ {print $5}' "$1" ;;
  esac
}
row() { # name label
  local non2xx
  non2xx=$(metric "$WORK/$1.txt" non2xx)
  echo "| $2 | $(metric "$WORK/$1.txt" rps) | $(metric "$WORK/$1.txt" p50) | $(metric "$WORK/$1.txt" p99) | ${non2xx:-0} | $(( $(cat "$WORK/$1.rss") / 1024 )) MiB |"
}
echo
echo "| policy endpoint | req/s | p50 | p99 | non-2xx | peak RSS |"
echo "|---|---|---|---|---|---|"
row policy_sqlite "SQLite, $CONFERENCES conferences"
[ -f "$WORK/policy_postgres.txt" ] && row policy_postgres "PostgreSQL, $CONFERENCES conferences"
echo
echo "$CONNECTIONS connections, $THREADS wrk threads, $DURATION per run, $(nproc) cores"
