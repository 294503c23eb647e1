#!/usr/bin/env bash
# Harness overhead of `sslfeatures bench --measure bulk`: for each case of the
# quick bulk set (the quick set's suites, 1 KiB and 16 KiB), the pair's MB/s the
# bench reports against bench/bulk_reference.cpp (the plainest write/read loop
# written directly against OpenSSL), run interleaved (reference, bench,
# reference, bench ...) so drift on the machine hits both. Prints the medians,
# the ratio bench / reference and the bench's CV over the rounds.
# Usage: bench/bulk_overhead.sh [BUILD_DIR]   (ROUNDS=5 SECONDS_PER_RUN=0.5)
set -euo pipefail
REFERENCE=bulk_reference
source "$(dirname "$0")/overhead_setup.sh"

mapfile -t cases < <("$bin" bench --measure bulk --quick --list)
printf '%-62s %10s %10s %7s %6s\n' case reference bench ratio cv
for name in "${cases[@]}"; do
  IFS=/ read -r protocol suite key group mode <<<"$name"
  groups=X25519
  [ "$key" = ecdsa-p256 ] && groups=X25519:P-256
  mac=etm
  [[ $mode == bulk-mte-* ]] && mac=mte
  size=${mode##*-}
  refs=(); ours=()
  for ((i = 0; i < rounds; i++)); do
    r=$("$ref" "$work/$key.crt" "$work/$key.key" "$work/ca.crt" "$protocol" "$suite" "$groups" "$mac" \
        "$(( ${size%k} * 1024 ))" "$seconds")
    refs+=("${r#MBps=}")
    b=$("$bin" bench --measure bulk --quick --size "$size" --benchmark_filter="^${name//./\\.}\$" \
        --benchmark_min_time="$seconds" --benchmark_format=json |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["benchmarks"][0]["pair_MBps"])')
    ours+=("$b")
  done
  python3 - "$name" "${refs[*]}" "${ours[*]}" <<'PY'
import statistics, sys
name, refs, ours = sys.argv[1], [float(x) for x in sys.argv[2].split()], [float(x) for x in sys.argv[3].split()]
r, o = statistics.median(refs), statistics.median(ours)
cv = statistics.stdev(ours) / statistics.mean(ours) if len(ours) > 1 else 0
print(f"{name:<62} {r:>10.1f} {o:>10.1f} {o / r:>7.3f} {cv:>6.1%}")
PY
done
