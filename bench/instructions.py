#!/usr/bin/env python3
"""Harness overhead counted in instructions instead of time.

Timing ratios on a shared VM spread too widely (5% to 19% CV) to show the
0.98 targets of `sslfeatures bench` against the plain OpenSSL loops
(bench/handshake_reference.cpp, bench/bulk_reference.cpp). Instructions
executed do not depend on the machine's load, so each program runs under
valgrind's callgrind twice, with N1 and then N2 units of work (payloads or
handshakes), and the cost of one unit is

    (Ir(N2) - Ir(N1)) / (N2 - N1)

so that start-up, certificates and everything done once cancel out. For
`sslfeatures bench` only the Google Benchmark case body is collected
(--toggle-collect on its Run), less the per-side CPU bursts and the EVP floor
of a bulk case: those run for a fixed CPU time, so their instruction counts
vary from run to run (they are outside the timed loop anyway). The handshake
counts are multiples of 32, so the loop's one-in-32 CPU sampling is in the
figure exactly.

Prints one row per case: instructions per unit for the bench and for the
reference, and ratio = reference / bench (1.0: the harness adds nothing;
0.98: it adds 2%). Exits 1 if a ratio is below 0.98, 2 if something is
missing or a run fails. Builds nothing: build first (ninja -C BUILD_DIR).
This is a benchmark, not a test; it takes about 4 minutes on the 2-core VM.

Usage: bench/instructions.py [BUILD_DIR]   (default: build)
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

TARGET = 0.98

# (bench case name, N1, N2). Bulk units are payloads, handshake units handshakes.
# ECDSA keys where the case allows: the bench makes its certificates at start-up,
# and an RSA-2048 key takes valgrind 5 to 20 s to find (one case keeps it).
BULK = [
    ("tls1.3/TLS_AES_128_GCM_SHA256/ecdsa-p256/x25519/bulk-1k", 128, 640),
    ("tls1.3/TLS_AES_128_GCM_SHA256/ecdsa-p256/x25519/bulk-16k", 32, 160),
    ("tls1.3/TLS_CHACHA20_POLY1305_SHA256/ecdsa-p256/x25519/bulk-1k", 128, 640),
    ("tls1.3/TLS_CHACHA20_POLY1305_SHA256/ecdsa-p256/x25519/bulk-16k", 32, 160),
    ("tls1.2/ECDHE-ECDSA-AES128-SHA256/ecdsa-p256/x25519/bulk-etm-16k", 32, 96),
    ("tls1.2/ECDHE-ECDSA-AES128-SHA256/ecdsa-p256/x25519/bulk-mte-1k", 128, 640),
]
HANDSHAKE = [
    ("tls1.3/TLS_AES_256_GCM_SHA384/ecdsa-p256/x25519/full", 32, 64),
    ("tls1.2/ECDHE-RSA-AES256-GCM-SHA384/rsa-2048/x25519/full", 32, 64),
    ("tls1.3/TLS_AES_256_GCM_SHA384/ecdsa-p256/x25519/ticket", 32, 64),
    ("tls1.2/ECDHE-ECDSA-AES256-GCM-SHA384/ecdsa-p256/x25519/ticket", 32, 160),
]

# Collected in sslfeatures: the benchmark body, less what runs for a fixed time.
TOGGLES = [
    "--toggle-collect=benchmark::internal::LambdaBenchmark<*>::Run(*",
    "--toggle-collect=sslfeatures::bench::BulkPair::side_costs(*",
    "--toggle-collect=sslfeatures::bench::bulk_floor(*",
]


class Failed(Exception):
    pass


def callgrind(command, toggles, out):
    """Runs command under callgrind; returns (instructions collected, stdout)."""
    run = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *toggles, *command],
                         capture_output=True, text=True)
    if run.returncode != 0:
        raise Failed(f"{' '.join(command)} exited {run.returncode}:\n{run.stderr[-2000:]}")
    found = re.findall(r"^==\d+== Collected : (\d+)$", run.stderr, re.M)
    if not found:
        raise Failed(f"no callgrind total for {' '.join(command)}")
    return int(found[-1]), run.stdout


def ours(build, name, n, out):
    protocol, suite, key, group, mode = name.split("/")
    # The selectors narrow the run to the case (and its floor), the filter to its name.
    if mode.startswith("bulk-"):
        select = ["--measure", "bulk", "--size", mode.rsplit("-", 1)[1]]
    else:
        select = ["--key", key, "--group", group, "--mode", mode]
    command = [os.path.join(build, "sslfeatures"), "bench", "--protocol", protocol, "--cipher", suite, *select,
               f"--iterations={n}", "--benchmark_format=json", "--benchmark_filter=^" + name.replace(".", r"\.") + "/"]
    instructions, stdout = callgrind(command, TOGGLES, out)
    runs = json.loads(stdout)["benchmarks"]
    if len(runs) != 1 or not runs[0]["name"].startswith(name + "/") or runs[0]["iterations"] != n or \
            runs[0].get("error_occurred"):
        raise Failed(f"sslfeatures did not run {name} for {n} iterations: {runs}")
    return instructions


def reference(build, certs, name, n, out):
    protocol, suite, key, group, mode = name.split("/")
    files = [os.path.join(certs, f) for f in (f"{key}.crt", f"{key}.key", "ca.crt")]
    if mode.startswith("bulk-"):
        size = mode.rsplit("-", 1)[1]
        payload = int(size[:-1]) * 1024
        mac = "mte" if mode.startswith("bulk-mte-") else "etm"
        groups = "X25519:P-256" if key == "ecdsa-p256" else "X25519"
        command = [os.path.join(build, "bench", "bulk_reference"), *files, protocol, suite, groups, mac,
                   str(payload), f"{n}x"]
    else:
        # As the bench: before TLS 1.3 the client also lists an ECDSA key's curve.
        client_groups = "X25519:P-256" if protocol == "tls1.2" and key == "ecdsa-p256" else "X25519"
        command = [os.path.join(build, "bench", "handshake_reference"), *files, protocol, suite, "X25519",
                   client_groups, mode, f"{n}x"]
    return callgrind(command, [], out)[0]


def per_unit(measure, n1, n2):
    return (measure(n2) - measure(n1)) / (n2 - n1)


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    needed = [os.path.join(build, "sslfeatures"), os.path.join(build, "bench", "bulk_reference"),
              os.path.join(build, "bench", "handshake_reference")]
    missing = [f for f in needed if not os.access(f, os.X_OK)]
    if missing or shutil.which("valgrind") is None:
        print(f"instructions.py: need {', '.join(missing) or 'valgrind'}; build first (ninja -C {build})",
              file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as work:
        subprocess.run([os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench_certs.sh"), work],
                       check=True, capture_output=True)
        out = os.path.join(work, "callgrind.out")
        print(f"{'case':<62} {'bench':>12} {'reference':>12} {'ratio':>7}  (instructions per unit)", flush=True)
        low = []
        for name, n1, n2 in BULK + HANDSHAKE:
            try:
                mine = per_unit(lambda n: ours(build, name, n, out), n1, n2)
                theirs = per_unit(lambda n: reference(build, work, name, n, out), n1, n2)
            except Failed as e:
                print(f"instructions.py: {e}", file=sys.stderr)
                return 2
            ratio = theirs / mine
            if ratio < TARGET:
                low.append(name)
            print(f"{name:<62} {mine:>12,.0f} {theirs:>12,.0f} {ratio:>7.4f}", flush=True)
    if low:
        print(f"below {TARGET}: {', '.join(low)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
