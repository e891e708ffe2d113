#!/usr/bin/env bash
# redis-benchmark against vr's Redis gateway in front of 3 local replicas
# (diskless, then durable with fsync before every reply) and against one
# redis-server (appendfsync always, then everysec), in one session, one
# after the other on the same machine. Prints a Markdown table.
#
#   bench/redis/run.sh                 # N=200000 requests per test, C=50 connections
#   N=50000 bench/redis/run.sh         # fewer requests on a busy machine
#
# Needs redis-tools and redis-server (Debian packages). Everything it
# starts listens on 127.0.0.1 and is stopped at the end.
set -euo pipefail
N=${N:-200000}
C=${C:-50}
BASE=${BASE:-17100}
cd "$(dirname "$0")/../.."
for tool in redis-benchmark redis-cli redis-server; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install redis-tools redis-server" >&2; exit 2; }
done
work=$(mktemp -d /var/tmp/vr-redis-bench.XXXXXX)
pids=()
stop_all() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
trap 'stop_all; rm -rf "$work"' EXIT
go build -o "$work/vr" ./cmd/vr

# wait_redis PORT: until a SET answers OK (60s at most).
wait_redis() {
  for _ in $(seq 600); do
    [ "$(redis-cli -p "$1" SET vr-bench-warmup 1 2>/dev/null)" = OK ] && return 0
    sleep 0.1
  done
  echo "nothing answers on port $1; logs:" >&2
  tail -n 5 "$work"/*.log >&2 || true
  return 1
}

# bench LABEL PORT: one table row per test.
bench() {
  redis-benchmark -p "$2" -t set,get,incr -c "$C" -n "$N" --csv 2>/dev/null |
    awk -F, -v label="$1" 'NR>1 { gsub(/"/, ""); printf "| %s | %s | %\047.0f | %s | %s |\n", label, $1, $2, $5, $7 }'
}

# vr_cluster DURABLE: 3 replicas and a gateway on BASE+10.
vr_cluster() {
  local cluster="127.0.0.1:$BASE,127.0.0.1:$((BASE+1)),127.0.0.1:$((BASE+2))"
  for i in 0 1 2; do
    local extra=()
    if [ "$1" = durable ]; then
      mkdir -p "$work/data-$i"; extra=(--data-dir "$work/data-$i" --sync sync)
    fi
    "$work/vr" server --index "$i" --cluster "$cluster" --new-cluster --status-addr off \
      --log-level warn "${extra[@]}" 2>>"$work/server-$i.log" &
    pids+=($!)
  done
  "$work/vr" gateway --cluster "$cluster" --redis-addr "127.0.0.1:$((BASE+10))" --log-level warn 2>>"$work/gateway.log" &
  pids+=($!)
  wait_redis $((BASE+10))
}

redis_single() {
  mkdir -p "$work/redis-$1"
  redis-server --port $((BASE+20)) --bind 127.0.0.1 --save '' --appendonly yes --appendfsync "$1" \
    --dir "$work/redis-$1" --daemonize no --loglevel warning >"$work/redis-$1.log" 2>&1 &
  pids+=($!)
  wait_redis $((BASE+20))
}

echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "redis-benchmark -t set,get,incr -c $C -n $N; $(redis-server --version | cut -d' ' -f1-3)"
echo
echo "| target | test | requests/s | p50 ms | p99 ms |"
echo "|---|---|---:|---:|---:|"
vr_cluster diskless; bench "vr gateway, 3 replicas, diskless" $((BASE+10)); stop_all
vr_cluster durable; bench "vr gateway, 3 replicas, fsync before reply" $((BASE+10)); stop_all
redis_single always; bench "redis-server, appendfsync always" $((BASE+20)); stop_all
redis_single everysec; bench "redis-server, appendfsync everysec" $((BASE+20)); stop_all
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
