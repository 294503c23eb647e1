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
)

if [ "$(id -u)" -ne 0 ]; then
  sudo=sudo
else
  sudo=
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
echo "install-deps: ${#packages[@]} packages present" >&2
