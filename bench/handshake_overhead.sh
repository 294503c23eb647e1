#!/usr/bin/env bash
# Harness overhead of `sslfeatures bench`: for each case of the quick set, the
# rate the bench reports against the rate of bench/handshake_reference.cpp (the
# plainest in-memory loop written directly against OpenSSL), run interleaved
# (reference, bench, reference, bench ...) so drift on the machine hits both.
# Certificates are made with the openssl command in the bench's shape: an
# ECDSA P-256 CA and a localhost leaf of each key type.
# Usage: bench/handshake_overhead.sh [BUILD_DIR]   (ROUNDS=5 SECONDS_PER_RUN=0.5)
set -euo pipefail
REFERENCE=handshake_reference
source "$(dirname "$0")/overhead_setup.sh"

# The quick set's names, as the bench lists them.
mapfile -t cases < <("$bin" bench --quick --list)
printf '%-62s %10s %10s %7s\n' case reference bench ratio
for name in "${cases[@]}"; do
  IFS=/ read -r protocol suite key group mode <<<"$name"
  client_groups=X25519
  [ "$protocol" = tls1.2 ] && [ "$key" = ecdsa-p256 ] && client_groups=X25519:P-256
  refs=(); ours=()
  for ((i = 0; i < rounds; i++)); do
    r=$("$ref" "$work/$key.crt" "$work/$key.key" "$work/ca.crt" "$protocol" "$suite" X25519 "$client_groups" "$mode" "$seconds")
    refs+=("${r#handshakes_per_second=}")
    filter="^${name//./\\.}\$"
    b=$("$bin" bench --quick --benchmark_filter="$filter" --benchmark_min_time="$seconds" --benchmark_format=json |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["benchmarks"][0]["hs_per_s"])')
    ours+=("$b")
  done
  python3 - "$name" "${refs[*]}" "${ours[*]}" <<'PY'
import statistics, sys
name, refs, ours = sys.argv[1], [float(x) for x in sys.argv[2].split()], [float(x) for x in sys.argv[3].split()]
r, o = statistics.median(refs), statistics.median(ours)
print(f"{name:<62} {r:>10.1f} {o:>10.1f} {o / r:>7.3f}")
PY
done
