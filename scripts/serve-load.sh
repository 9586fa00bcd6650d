#!/usr/bin/env bash
# The service under load (docs/benchmarks.md, "Service"): N providers whose stub prover fails at
# once (no GPU work: the shell exits 1, a prover.exit at 'prepare'), attested every INTERVAL
# seconds, while the API's provider list is fetched R times; prints the list's latency (p50,
# p99, max), the attestations ended, the queue depth, and the service's heap.
#
#   scripts/serve-load.sh [N=1000] [R=500] [INTERVAL=60] [SECONDS=120]
#
# Needs service/target/validator-service.jar (mvn -q -B -DskipTests package), curl and jcmd.
# Everything it writes stays in a temporary folder, removed at the end. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000} requests=${2:-500} interval=${3:-60} seconds=${4:-120}
jar=service/target/validator-service.jar
[[ -f $jar ]] || { echo "$0: no $jar; run: mvn -q -B -DskipTests package" >&2; exit 2; }
work=$(mktemp -d)
pid=""
cleanup() {
  [[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

{
  echo '{"version": 1, "providers": ['
  for ((i = 0; i < n; i++)); do
    sep=$([[ $i -lt $((n - 1)) ]] && echo , || true)
    echo "{\"name\": \"stub-$i\", \"prover\": \"exit 1 #\", \"gpus\": 1,"\
      "\"model\": \"NVIDIA H100 80GB HBM3\", \"dim\": 64, \"iterations\": 1,"\
      "\"allowCpu\": true, \"noMemory\": true, \"intervalSeconds\": $interval}$sep"
  done
  echo ']}'
} > "$work/fleet.json"

port=$(shuf -i 20000-60000 -n 1)
GPU_ATTEST_HOME=$work/home java --add-modules jdk.incubator.vector -Xlog:disable \
  -jar "$jar" serve --fleet "$work/fleet.json" --listen "127.0.0.1:$port" \
  --retry-seconds "$interval" 2> "$work/serve.log" &
pid=$!
for _ in $(seq 1 120); do
  grep -q "listening on" "$work/serve.log" 2>/dev/null && break
  sleep 0.5
done
grep -q "listening on" "$work/serve.log" || { cat "$work/serve.log" >&2; exit 3; }
echo "serve-load: $n stub providers every $interval s; $requests requests over ${seconds} s" >&2
pause=$(awk -v s="$seconds" -v r="$requests" 'BEGIN { printf "%.3f", s / r }')
for ((i = 0; i < requests; i++)); do
  curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/api/v1/providers"
  sleep "$pause"
done > "$work/latency"
sort -n "$work/latency" | awk '{ v[NR] = $1 } END {
  printf "providers list: p50 %.1f ms, p99 %.1f ms, max %.1f ms over %d requests\n",
    1000 * v[int(NR * 0.50 + 0.5)], 1000 * v[int(NR * 0.99 + 0.5)], 1000 * v[NR], NR }'
curl -s "http://127.0.0.1:$port/metrics" | awk '
  /^gpu_attest_attestations_total/ { ended += $NF }
  /^gpu_attest_scheduler_queue_depth / { depth = $NF }
  END { printf "attestations ended: %d; queue depth at the end: %d\n", ended, depth }'
jcmd "$pid" GC.heap_info | sed -n '2,3p'
