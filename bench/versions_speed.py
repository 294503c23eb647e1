#!/usr/bin/env python3
"""Quick-set handshake speed of several OpenSSL releases, side by side.

Each build directory holds an `sslfeatures` built against one OpenSSL (see
docs/other-openssl.md). The script runs `bench --quick` of
every build in turn, round after round (A B C, A B C, ...), so that drift on
the machine hits every release alike, and prints a Markdown table: the median
handshakes per second of each case per release, and each release's rate as a
ratio of the first one's.

Usage: bench/versions_speed.py BUILD_DIR [BUILD_DIR ...]
       (ROUNDS=5, SECONDS_PER_CASE=0.2 in the environment)
"""

import json
import os
import statistics
import subprocess
import sys


def fail(message):
    print(f"versions_speed: {message}", file=sys.stderr)
    sys.exit(2)


def library_version(binary):
    """"OpenSSL 3.0.22" from "... library: OpenSSL 3.0.22 25 Aug 2026)"."""
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout
    library = out.split("library: ", 1)[-1].split()
    return " ".join(library[:2]) if len(library) >= 2 else binary


def quick_rates(binary, seconds):
    """Rates by case name; a case that failed its checks (exit 1) has none."""
    run = subprocess.run(
        [binary, "bench", "--quick", f"--benchmark_min_time={seconds}", "--benchmark_format=json"],
        capture_output=True, text=True)
    if run.returncode not in (0, 1):
        fail(f"{binary} bench --quick exited {run.returncode}: {run.stderr.strip()}")
    return {b["name"]: b["hs_per_s"] for b in json.loads(run.stdout)["benchmarks"] if "hs_per_s" in b}


def main():
    builds = sys.argv[1:]
    if not builds:
        fail("name at least one build directory, e.g. bench/versions_speed.py build-1.1.1w build")
    binaries = [os.path.join(b, "sslfeatures") for b in builds]
    for binary in binaries:
        if not os.access(binary, os.X_OK):
            fail(f"no {binary}; build it first (meson compile -C {os.path.dirname(binary)})")
    rounds = int(os.environ.get("ROUNDS", "5"))
    seconds = float(os.environ.get("SECONDS_PER_CASE", "0.2"))

    versions = [library_version(b) for b in binaries]
    samples = [{} for _ in binaries]
    for _ in range(rounds):
        for i, binary in enumerate(binaries):
            for name, rate in quick_rates(binary, seconds).items():
                samples[i].setdefault(name, []).append(rate)

    cases = []
    for per_build in samples:
        cases += [name for name in per_build if name not in cases]
    short = [v.split()[-1] for v in versions]  # "3.0.22"
    ratios = [f"{v} / {short[0]}" for v in short[1:]]
    print("| case | " + " | ".join(versions + ratios) + " |")
    print("|---|" + "---:|" * (len(versions) + len(ratios)))
    for name in cases:
        medians = [statistics.median(s[name]) if name in s else None for s in samples]
        cells = [f"{m:.0f}" if m is not None else "n/a" for m in medians]
        for m in medians[1:]:
            cells.append(f"{m / medians[0]:.2f}" if m is not None and medians[0] else "n/a")
        print(f"| {name} | " + " | ".join(cells) + " |")
    print(f"\nmedians of {rounds} interleaved rounds, {seconds} s per case and round")


if __name__ == "__main__":
    main()
