#!/usr/bin/env bash
# `bench --connect` against a loopback `sslfeatures server`, beside the
# in-process loopback TCP transport (`bench --transport tcp`) for the same
# case, interleaved (tcp, connect at each concurrency, tcp ...) so drift on
# the machine hits all of them, and their medians side by side.
# The server runs one thread per connection and prints a line per connection
# (sent to /dev/null here). On a 2-core machine the two processes share the
# cores, where the in-process transport runs client and server on one thread.
# Usage: bench/connect_vs_tcp.sh [BUILD_DIR]
#   (ROUNDS=5 SECONDS_PER_RUN=1 CONCURRENCY="1 4"
#    CASE=tls1.3/TLS_AES_128_GCM_SHA256/ecdsa-p256/x25519/full)
set -euo pipefail
build=${1:-build}
bin=$build/sslfeatures
rounds=${ROUNDS:-5}
seconds=${SECONDS_PER_RUN:-1}
concurrency=${CONCURRENCY:-1 4}
case_name=${CASE:-tls1.3/TLS_AES_128_GCM_SHA256/ecdsa-p256/x25519/full}
IFS=/ read -r protocol suite key group mode <<<"$case_name"

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$bin" pki "$work/pki" --key "$key" >/dev/null
mkfifo "$work/listening"
"$bin" server 127.0.0.1 0 -s "$work/pki/localhost.pem" >"$work/listening" 2>/dev/null &
server_pid=$!
read -r line <"$work/listening"
port=${line##* }
cat "$work/listening" >/dev/null &  # the per-connection lines, thrown away

selectors=(--protocol "$protocol" --cipher "$suite" --group "$group" --mode "$mode")
rate() { python3 -c 'import json,sys; print(json.load(sys.stdin)["benchmarks"][0]["hs_per_s"])'; }

declare -A rates
for ((i = 0; i < rounds; i++)); do
  rates[tcp]+=" $("$bin" bench --transport tcp "${selectors[@]}" --key "$key" \
      --benchmark_min_time="$seconds" --benchmark_format=json | rate)"
  for c in $concurrency; do
    rates[c$c]+=" $("$bin" bench --connect "127.0.0.1:$port" --ca-file "$work/pki/ca.crt" "${selectors[@]}" \
        --concurrency "$c" --duration "$seconds" --benchmark_format=json | rate)"
  done
done

printf '%s, %d rounds of %s s each, interleaved\n' "$case_name" "$rounds" "$seconds"
printf '%-28s %10s %8s  %s\n' run 'median' 'vs tcp' 'hs/s of each round'
for run in tcp $(for c in $concurrency; do echo "c$c"; done); do
  python3 - "$run" "${rates[$run]}" "${rates[tcp]}" <<'PY'
import statistics, sys
run, mine, tcp = sys.argv[1], [float(x) for x in sys.argv[2].split()], [float(x) for x in sys.argv[3].split()]
label = "bench --transport tcp" if run == "tcp" else f"bench --connect, {run[1:]} at once"
m = statistics.median(mine)
print(f"{label:<28} {m:>10.1f} {m / statistics.median(tcp):>8.3f}  {' '.join(f'{x:.0f}' for x in mine)}")
PY
done
