# Sourced by handshake_overhead.sh and bulk_overhead.sh with REFERENCE set to
# the reference program's name: checks that BUILD_DIR ($1, default build)
# holds it and sslfeatures, reads ROUNDS and SECONDS_PER_RUN, and makes
# certificates in the bench's shape in $work (removed on exit).
build=${1:-build}
bin="$build/sslfeatures"
ref="$build/bench/$REFERENCE"
for f in "$bin" "$ref"; do
  [ -x "$f" ] || { echo "$(basename "$0"): no $f; build first (meson compile -C $build)" >&2; exit 2; }
done
rounds=${ROUNDS:-5}
seconds=${SECONDS_PER_RUN:-0.5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$(dirname "${BASH_SOURCE[0]}")/bench_certs.sh" "$work"
