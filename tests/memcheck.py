#!/usr/bin/env python3
"""Runs each subcommand once under valgrind memcheck and fails on any memory
error or any definitely-lost byte.

    tests/memcheck.py BUILD/sslfeatures [--only NAME ...] [--keep DIR]

Each run's valgrind log is parsed for its ERROR SUMMARY and LEAK SUMMARY, and
one line per run is printed with the figures. valgrind's own exit code (set
by --error-exitcode, which also counts definite leaks) is the second,
independent witness: both must be clean. Loopback only; bounded by timeouts.
"""
import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

VALGRIND_FAILED = 99  # --error-exitcode: memory errors or definite leaks
VALGRIND = [
    "valgrind", "--tool=memcheck", "--error-exitcode=%d" % VALGRIND_FAILED,
    "--leak-check=full", "--errors-for-leak-kinds=definite", "--show-leak-kinds=definite",
    "--num-callers=30", "--trace-children=no",
]
RUN_TIMEOUT_S = 300  # one run under valgrind; the slowest (bench) takes ~30 s here


class Run:
    """One subcommand under valgrind, its log parsed."""

    def __init__(self, name, log_path, exit_code, allowed_exits=(0,)):
        self.name = name
        self.exit_code = exit_code
        self.allowed_exits = allowed_exits
        with open(log_path, encoding="utf-8", errors="replace") as f:
            self.log = f.read()
        self.errors = self._bytes_or_count(r"ERROR SUMMARY: ([\d,]+) errors")
        if "no leaks are possible" in self.log:  # every heap block was freed
            self.definitely_lost = self.indirectly_lost = 0
        else:
            self.definitely_lost = self._bytes_or_count(r"definitely lost: ([\d,]+) bytes")
            self.indirectly_lost = self._bytes_or_count(r"indirectly lost: ([\d,]+) bytes")

    def _bytes_or_count(self, pattern):
        m = re.search(pattern, self.log)
        return int(m.group(1).replace(",", "")) if m else None

    def problems(self):
        found = []
        if self.errors is None or self.definitely_lost is None:
            found.append("the valgrind log has no error or leak summary (did valgrind run to the end?)")
        if self.errors:
            found.append("%d memcheck errors" % self.errors)
        if self.definitely_lost:
            found.append("%d bytes definitely lost" % self.definitely_lost)
        if self.exit_code == VALGRIND_FAILED:
            found.append("valgrind exited %d (errors or definite leaks)" % VALGRIND_FAILED)
        elif self.exit_code not in self.allowed_exits:
            found.append("exit code %d, expected %s" % (self.exit_code, " or ".join(map(str, self.allowed_exits))))
        return found

    def line(self):
        status = "ok" if not self.problems() else "FAIL: " + "; ".join(self.problems())
        return "memcheck %-9s errors %s, definitely lost %s B, indirectly lost %s B, exit %d: %s" % (
            self.name, self.errors, self.definitely_lost, self.indirectly_lost, self.exit_code, status)


class Memcheck:
    def __init__(self, tool, work):
        self.tool = tool
        self.work = work

    def command(self, name, args):
        log = os.path.join(self.work, name + ".valgrind.log")
        return log, VALGRIND + ["--log-file=" + log, self.tool] + args

    def run(self, name, args, allowed_exits=(0,)):
        log, argv = self.command(name, args)
        r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=RUN_TIMEOUT_S)
        return Run(name, log, r.returncode, allowed_exits)

    def client_and_server(self, pki_dir):
        """A client and a --once server, both under valgrind, over loopback."""
        log, argv = self.command("server", [
            "server", "127.0.0.1", "0", "-s", os.path.join(pki_dir, "localhost.pem"), "--once",
            "--timeout", "60", "--idle-timeout", "60"])
        server = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        try:
            port = read_listening_port(server)
            client = self.run("client", ["client", "127.0.0.1", str(port), "-a",
                                         os.path.join(pki_dir, "ca.crt"), "--report", "--timeout", "60"])
            server.wait(timeout=RUN_TIMEOUT_S)
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()
        return [client, Run("server", log, server.returncode)]


def read_listening_port(server):
    """The port from "Listening at interface '127.0.0.1' and port N"."""
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        if not line:
            break
        m = re.search(r"and port (\d+)", line)
        if m:
            return int(m.group(1))
    raise RuntimeError("the server under valgrind did not start listening: " + server.stderr.read())


def all_runs(check, work):
    pki_dir = os.path.join(work, "pki")
    snapshot = os.path.join(work, "snapshot.json")
    yield "features", lambda: [check.run("features", ["features"])]
    yield "defaults", lambda: [check.run("defaults", ["defaults"])]
    yield "pki", lambda: [check.run("pki", ["pki", pki_dir, "--key", "ecdsa-p256"])]
    yield "snapshot", lambda: [check.run("snapshot", ["snapshot", "-o", snapshot])]
    # Two reference tables, read like any snapshot file: the 1.1.1 to 3.5
    # upgrade renders a long report (exit 1: differences found).
    yield "diff", lambda: [check.run("diff", ["diff", "openssl-1.1.1w", "openssl-3.5.7"], allowed_exits=(1,))]
    yield "tls", lambda: check.client_and_server(pki_dir)
    yield "bench", lambda: [check.run("bench", [
        "bench", "--quick", "--protocol", "tls1.3", "--key", "ecdsa-p256", "--mode", "full",
        "--iterations", "3"])]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tool", help="the sslfeatures binary")
    parser.add_argument("--only", nargs="*", help="run only these (features, defaults, pki, snapshot, diff, tls, bench)")
    parser.add_argument("--keep", help="keep the valgrind logs in this directory")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="sslfeatures-memcheck.") as scratch:
        work = args.keep or scratch
        os.makedirs(work, exist_ok=True)
        check = Memcheck(os.path.abspath(args.tool), work)
        failed = 0
        for name, go in all_runs(check, work):
            if args.only and name not in args.only:
                continue
            started = time.monotonic()
            for run in go():
                print("%s (%.1f s)" % (run.line(), time.monotonic() - started), flush=True)
                if run.problems():
                    failed += 1
                    print(run.log, file=sys.stderr)
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
