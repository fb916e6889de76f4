#!/usr/bin/env bash
# `make bench`: criterion micro-benchmarks, then a load test of the reservation endpoint with
# valid tokens next to a bare actix-web endpoint, in the same run, on loopback only.
# Prints a Markdown table for BENCHMARKS.md. DURATION, CONNECTIONS and THREADS can be set.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-15s}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
SERVICE_PORT="${SERVICE_PORT:-18080}"
BASELINE_PORT="${BASELINE_PORT:-18081}"

if ! command -v wrk >/dev/null; then
  echo "installing wrk (load generator) from the distribution's packages" >&2
  if [ "$(id -u)" -eq 0 ]; then apt-get update -qq && apt-get install -y -qq wrk >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq wrk >/dev/null; fi
fi

if [ "${SKIP_CRITERION:-0}" != "1" ]; then
  cargo bench -p vmr-scheduler-tests --bench core
fi

cargo build --release -q -p vmr-scheduler --bin vmr-scheduler
cargo build --release -q -p vmr-scheduler-tests --bin dev-idp --bin bare-baseline --bin scheduling-backlog
BIN=target/release

WORK="$(mktemp -d)"
cleanup() {
  kill ${SERVICE_PID:-} ${BASELINE_PID:-} 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

TENANT=9188040d-6c67-4c5b-b112-36a304b66dad
# A GUID in the audience is the add-in app's client id (the add-in signs in with NAA).
AUDIENCE=api://localhost/0b1e6f3a-5c2d-4e7f-8a9b-1c2d3e4f5a6b
"$BIN/dev-idp" init "$WORK/keys" >/dev/null
write_config() { # database-url
cat > "$WORK/bench.toml" <<TOML
[server]
listen = "127.0.0.1:$SERVICE_PORT"
public_url = "http://localhost:$SERVICE_PORT"
[database]
url = "$1"
[logging]
level = "warn"
[integrations.bench]
equipment_resource = { name = "Video Meeting Room", email = "vmr@example.com" }
aliases = { prefix = "meet", domain = "vc.example.com", suffix_length = 9, numeric_prefix = "81" }
rate_limit = { per_minute = 100000000, burst = 100000000 }
[integrations.bench.auth.entra]
tenant_id = "$TENANT"
audiences = ["$AUDIENCE"]
jwks_file = "keys/jwks.json"
TOML
}

# 256 users, so the per-user rate limiter and the meeting-key index see realistic spread.
{
  echo "tokens = {"
  for i in $(seq 1 256); do
    oid=$(printf '00000000-0000-4000-8000-%012d' "$i")
    printf '  "%s",\n' "$("$BIN/dev-idp" token --dir "$WORK/keys" --tenant "$TENANT" --audience "$AUDIENCE" --oid "$oid" --lifetime-secs 7200)"
  done
  echo "}"
  cat <<'LUA'
counter = 0
request = function()
  counter = counter + 1
  local token = tokens[(counter % #tokens) + 1]
  return wrk.format("POST", nil, { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, "")
end
LUA
} > "$WORK/reserve.lua"

wait_for() {
  for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null -X "$2" "$1" 2>/dev/null || [ "$(curl -s -o /dev/null -w '%{http_code}' -X "$2" "$1")" != "000" ]; then return 0; fi
    sleep 0.1
  done
  echo "server at $1 did not come up" >&2; exit 1
}

load() { # name url
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WORK/reserve.lua" "$2" > "$WORK/$1.txt"
}

start_service() {
  "$BIN/vmr-scheduler" --config "$WORK/bench.toml" serve 2> "$WORK/service.log" &
  SERVICE_PID=$!
  wait_for "http://127.0.0.1:$SERVICE_PORT/healthz" GET || { cat "$WORK/service.log" >&2; exit 1; }
}
stop_service() {
  kill "$SERVICE_PID" 2>/dev/null || true
  wait "$SERVICE_PID" 2>/dev/null || true
  SERVICE_PID=
}

URL_PATH=/api/v1/integrations/bench/reservations
"$BIN/bare-baseline" "127.0.0.1:$BASELINE_PORT" &
BASELINE_PID=$!
wait_for "http://127.0.0.1:$BASELINE_PORT$URL_PATH" POST
load baseline "http://127.0.0.1:$BASELINE_PORT$URL_PATH"

measure() { # name database-url
  write_config "$2"
  start_service
  # Warm the key cache and the connection pool, then measure.
  DURATION=3s load warmup "http://127.0.0.1:$SERVICE_PORT$URL_PATH"
  load "$1" "http://127.0.0.1:$SERVICE_PORT$URL_PATH"
  awk '/VmHWM/ {print $2}' "/proc/$SERVICE_PID/status" > "$WORK/$1.rss"
  stop_service
}

measure sqlite "sqlite://$WORK/bench.db"
# PostgreSQL too when one is reachable (VMR_BENCH_POSTGRES_ADMIN_URL, default the local test server).
PG_ADMIN="${VMR_BENCH_POSTGRES_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/test}"
PG_DB="vmr_bench_$$"
if psql "$PG_ADMIN" -qc "CREATE DATABASE $PG_DB" 2>/dev/null; then
  measure postgres "${PG_ADMIN%/*}/$PG_DB"
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
B_RPS=$(metric "$WORK/baseline.txt" rps)
row() { # name label
  local rps ratio non2xx
  rps=$(metric "$WORK/$1.txt" rps)
  ratio=$(awk -v s="$rps" -v b="$B_RPS" 'BEGIN { printf "%.1f%%", 100 * s / b }')
  non2xx=$(metric "$WORK/$1.txt" non2xx)
  echo "| $2 | $rps | $(metric "$WORK/$1.txt" p50) | $(metric "$WORK/$1.txt" p99) | ${non2xx:-0} | $(( $(cat "$WORK/$1.rss") / 1024 )) MiB | $ratio |"
}

echo
echo "| endpoint | req/s | p50 | p99 | non-2xx | peak RSS | of baseline |"
echo "|---|---|---|---|---|---|---|"
row sqlite "reservation, SQLite (valid Entra v2 tokens, 256 users)"
[ -f "$WORK/postgres.txt" ] && row postgres "reservation, PostgreSQL (same load)"
echo "| bare actix-web baseline | $B_RPS | $(metric "$WORK/baseline.txt" p50) | $(metric "$WORK/baseline.txt" p99) | 0 | - | 100% |"
echo
echo "$CONNECTIONS connections, $THREADS wrk threads, $DURATION per run, $(nproc) cores"

# The mailbox worker clearing a backlog in the EWS emulator (loopback), every call delayed.
BACKLOG="${BACKLOG:-1000}"
EWS_LATENCY_MS="${EWS_LATENCY_MS:-20}"
echo
echo "| backlog | time to clear | meetings/min | EWS calls per meeting | calls |"
echo "|---|---|---|---|---|"
"$BIN/scheduling-backlog" "$BACKLOG" "$EWS_LATENCY_MS"

# The policy endpoint against 100,000 booked meetings (bench/policy.sh runs it alone too).
DURATION="$DURATION" CONNECTIONS="$CONNECTIONS" THREADS="$THREADS" bench/policy.sh
