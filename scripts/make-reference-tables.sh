#!/usr/bin/env bash
#
# make-reference-tables.sh - regenerate tables/openssl-<version>.json, the
# reference snapshots `sslfeatures diff` knows by name, each made by the tool
# built against that OpenSSL.
#
# Usage:  scripts/make-reference-tables.sh [VERSION ...]
#
#   VERSION  system, 1.1.1, 3.5, 3.6 or 4.0 (as scripts/prepare-openssl.sh takes them);
#            default: all three.
#
# Each version gets its own build directory (build-ref-<version>, reused when
# present) and a portable snapshot (`sslfeatures snapshot --portable`): no
# paths, build flags or dates of this machine, so the file is the same for
# everyone with that library.  The table is named after the library's exact
# version (openssl-3.0.17.json ...), written atomically by the tool, and a
# table of an older patch release of the same series is left for the user to
# delete: the script lists the tables at the end.
#
# After a Debian point update of the system OpenSSL, run it for `system` and
# commit the new table; tests/reference_table_test.cpp fails until then.
set -euo pipefail
cd "$(dirname "$0")/.."

versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(system 1.1.1 3.5 3.6 4.0)

for version in "${versions[@]}"; do
  dir="build-ref-$version"
  setup=(meson setup "$dir" -Dtests=disabled)
  if [ "$version" != system ]; then
    prefix=$(scripts/prepare-openssl.sh "$version" | tail -n 1)
    [ -n "$prefix" ] || { echo "make-reference-tables: no prefix for OpenSSL $version" >&2; exit 1; }
    setup+=("-Dopenssl_prefix=$prefix")
  fi
  [ -d "$dir" ] || "${setup[@]}" >&2
  meson compile -C "$dir" sslfeatures >&2
  # The library's own version names the table: "OpenSSL 3.0.17 1 Jul 2025" -> 3.0.17.
  exact=$("$dir/sslfeatures" --version | sed -n 's/.*library: OpenSSL \([0-9][0-9a-z.]*\).*/\1/p')
  [ -n "$exact" ] || { echo "make-reference-tables: cannot read the library version of $dir" >&2; exit 1; }
  "$dir/sslfeatures" snapshot --portable -o "tables/openssl-$exact.json"
  echo "tables/openssl-$exact.json  (OpenSSL $version)"
done
ls -1 tables/openssl-*.json
