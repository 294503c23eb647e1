#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each, one after the other, on a copy of
# its seed corpus (the repository's corpus is never written to).
#
#   tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET ...]
#
# BUILD_DIR is a build configured with -Dfuzzing=enabled (docs/hardening.md).
# Prints one line per target: executions, libFuzzer's final cov: and ft:,
# corpus size, findings. Exits 1 if any target crashed, leaked, timed out or
# ran out of memory; the inputs that did it and each target's log stay in the
# work directory named at the end.
set -euo pipefail

usage() {
    echo "usage: $0 BUILD_DIR SECONDS [TARGET ...]" >&2
    exit 2
}
[[ $# -ge 2 ]] || usage
build=$1
seconds=$2
shift 2
[[ $seconds =~ ^[0-9]+$ && $seconds -gt 0 ]] || usage
here=$(cd "$(dirname "$0")" && pwd)
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(snapshot selectors cert_key server_hello)

work=$(mktemp -d "${TMPDIR:-/tmp}/sslfeatures-fuzz.XXXXXX")
# Undefined behaviour stops the run with a stack, as a crash does.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

# The last libFuzzer status line ("#123 DONE cov: 45 ft: 67 corp: 8/1024b ...")
# and its final stats give the figures.
summarise() {
    local name=$1 log=$2 rc=$3 findings=$4
    local status execs cov ft corp
    status=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$status")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$status")
    corp=$(sed -n 's/.* corp: \([^ ]*\).*/\1/p' <<<"$status")
    printf '%-18s execs %-10s cov %-6s ft %-7s corpus %-12s findings %s (exit %s)\n' \
        "$name" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$findings" "$rc"
}

failed=0
for target in "${targets[@]}"; do
    name=fuzz_$target
    binary=$build/tests/fuzz/$name
    [[ -x $binary ]] || { echo "$0: no $binary (configure with -Dfuzzing=enabled and build it)" >&2; exit 2; }
    mkdir -p "$work/$target/corpus" "$work/$target/findings"
    cp -R "$here/corpus/$target/." "$work/$target/corpus/"
    rc=0
    "$binary" "$work/$target/corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$work/$target/findings/" \
        </dev/null >"$work/$target/log" 2>&1 || rc=$?
    findings=$(find "$work/$target/findings" -type f | wc -l)
    summarise "$name" "$work/$target/log" "$rc" "$findings"
    if [[ $rc -ne 0 || $findings -ne 0 ]]; then
        failed=1
        echo "  $name: see $work/$target/log; inputs in $work/$target/findings/" >&2
    fi
done
echo "work directory (corpora, logs, findings): $work"
exit "$failed"
