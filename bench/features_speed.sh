#!/usr/bin/env bash
# Whole-process speed of `sslfeatures features`, measured side by side in one
# hyperfine run with two reference points on the same machine:
#   - an empty C program linked to libssl: the floor any OpenSSL tool pays to
#     start (the dynamic loader mapping and relocating libssl and libcrypto);
#   - the same in C++ (libstdc++ too): the floor for a C++ OpenSSL tool;
#   - python3 importing ssl: what the chapter's features.py pays before it
#     prints anything.
# Usage: bench/features_speed.sh [BUILD_DIR]   (prints medians and ratios)
set -euo pipefail
build=${1:-build}
bin="$build/sslfeatures"
[ -x "$bin" ] || { echo "features_speed: no $bin; build first (meson compile -C $build)" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "features_speed: hyperfine missing (apt-get install hyperfine)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'int main(void){return 0;}\n' > "$work/empty.c"
printf '#include <string>\n#include <cstdio>\nint main(int, char** v) { std::string s(v[0]); return std::puts(s.c_str()) < 0; }\n' > "$work/empty.cpp"
cc "$work/empty.c" -o "$work/empty_ssl" -Wl,--no-as-needed $(pkg-config --libs openssl)
c++ -O2 "$work/empty.cpp" -o "$work/empty_cpp_ssl" -Wl,--no-as-needed $(pkg-config --libs openssl)

py=/usr/bin/python3; [ -x "$py" ] || py=$(command -v python3)
hyperfine -N --warmup 30 --runs "${RUNS:-300}" --export-json "$work/result.json" \
  -n floor "$work/empty_ssl" \
  -n floor-c++ "$work/empty_cpp_ssl" \
  -n features "$bin features" \
  -n json-all "$bin features --format json --all" \
  -n python-import-ssl "$py -c 'import ssl'" >/dev/null 2>"$work/hyperfine.err" \
  || { cat "$work/hyperfine.err" >&2; exit 1; }

python3 - "$work/result.json" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
floor = results["floor"]["median"]
floor_cpp = results["floor-c++"]["median"]
print(f"{'case':<20} {'median ms':>10} {'min ms':>8} {'x floor':>8} {'x floor-c++':>12}")
for name, r in results.items():
    m = r["median"]
    print(f"{name:<20} {m*1e3:>10.2f} {r['min']*1e3:>8.2f} {m/floor:>8.2f} {m/floor_cpp:>12.2f}")
PY
