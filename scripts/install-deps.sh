#!/usr/bin/env bash
# Installs every Debian package sslfeatures needs to build, test and benchmark.
# The one list of build dependencies: the README and .ci/run both call this.
set -euo pipefail

packages=(
  # build
  g++ meson ninja-build pkg-config python3
  libssl-dev libfmt-dev libcli11-dev nlohmann-json3-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  openssl gnutls-bin hyperfine
  # hardening: memcheck, and clang's sanitizers and libFuzzer (scripts/hardening.sh)
  valgrind clang libclang-rt-14-dev
  # renders sslfeatures(1) in the man page test, warnings and all
  groff-base
  # renders the bench chart in the SVG test
  chromium
  # real servers the tests start themselves on free loopback ports
  # (tests/support/servers), and an established scanner's view of them
  # (tests/support/sslscan), for comparing what `scan` finds
  nginx-light sslscan
)

if [ "$(id -u)" -ne 0 ]; then
  sudo=sudo
else
  sudo=
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq

# nginx's postinst starts a system nginx on port 80. The tests never use it
# (they run their own, as the test user, on free ports), so keep it from
# starting: Debian's policy-rc.d says no for this install only. A file already
# there (containers ship one) is left as it is.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# install-deps.sh: start no services while installing\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod 755 "$policy"
  trap '$sudo rm -f "$policy"' EXIT
fi
$sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
echo "install-deps: ${#packages[@]} packages present" >&2
