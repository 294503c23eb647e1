#!/usr/bin/env bash
# The hardening run: the whole test suite built with clang under
# AddressSanitizer, UndefinedBehaviorSanitizer and LeakSanitizer, then every
# libFuzzer target for a bounded time. A failed test, any sanitizer report
# (even from a child process whose exit code a test accepted) or any fuzzer
# finding fails the run.
#
#   scripts/hardening.sh [BUILD_DIR] [FUZZ_SECONDS]     (defaults: build-san 60)
#
# valgrind's memcheck is not here: it is a test of the ordinary build
# (tests/memcheck.py), since it cannot run beside the sanitizers' allocator.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-san}
seconds=${2:-60}

# -O1 and line tables only: the 2-core build takes minutes, not half an hour,
# and reports still name file and line.
if [ ! -f "$dir/build.ninja" ]; then
  CC=clang CXX=clang++ meson setup "$dir" \
    -Dfuzzing=enabled -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=plain \
    -Dcpp_args='-O1 -gline-tables-only -fno-omit-frame-pointer -fno-sanitize-recover=all'
fi
meson compile -C "$dir"

# Every report also goes to a file, so one in a child process counts even
# when the test only looked at its exit code; 86 is no exit code of ours.
reports=$(mktemp -d "${TMPDIR:-/tmp}/sslfeatures-sanitizers.XXXXXX")
status=0
ASAN_OPTIONS="detect_leaks=1:exitcode=86:log_path=$reports/asan" \
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=86:log_path=$reports/ubsan" \
  meson test -C "$dir" --timeout-multiplier 3 --print-errorlogs || status=$?
if compgen -G "$reports/*" >/dev/null; then
  echo "hardening: sanitizer reports (kept in $reports):"
  cat "$reports"/*
  status=1
else
  echo "hardening: the test suite ran under ASan, UBSan and LSan with no report"
  rmdir "$reports"
fi
python3 scripts/test_summary.py "$dir/meson-logs" || true

tests/fuzz/run.sh "$dir" "$seconds" || status=$?
exit "$status"
