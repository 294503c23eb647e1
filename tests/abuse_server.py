#!/usr/bin/env python3
"""Abuse test for `sslfeatures server` (issue 6, item 4), on loopback only.

Python's ssl module is the client: a second, independent TLS peer that
verifies the server against the CA `sslfeatures pki` made. Phases:
  warm-up   good handshakes, then the server's resident memory is read;
  good      handshakes from concurrent threads, each sending a tag that the
            server must print once as a bytes literal;
  bad       garbage, ClientHellos cut off (then FIN or RST), connect-and-close,
            a record header announcing a huge length, a handshake then RST;
  idle      connections that send nothing, held past the handshake timeout;
            the server must close them itself;
  after     a good client is served at once, stderr holds exactly one error
            line per failed connection and nothing that looks like a
            crash, and resident memory grew by no more than a fixed bound.
Counts are fixed; only the time allowed scales, so a sanitized build (slower)
runs the same test. Exit status 0 is a pass, 1 a failure (each one printed).
"""

import collections
import concurrent.futures
import os
import random
import re
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import time

# --- What the test does, and the bounds it asserts ----------------------------

WARMUP_HANDSHAKES = 200
GOOD_HANDSHAKES = 2000          # the issue asks for at least 2,000
GOOD_THREADS = 8                # concurrent clients
# x 6 kinds = 600; the issue asks for at least 500. 500 of them fail and are
# logged (a reset after the handshake is not a failure: see EXPECTED_CAUSE).
BAD_PER_KIND = 100
BAD_THREADS = 8
IDLE_CONNECTIONS = 100          # the issue asks for at least 100

# A short handshake deadline keeps the idle phase quick.
HANDSHAKE_TIMEOUT_S = 1.0
# Longer than anything a good client spends between its bytes, so no good
# connection is cut, yet far below the default 30 s.
IDLE_TIMEOUT_S = 5.0
# The default, stated on purpose: the idle phase holds IDLE_CONNECTIONS slots
# at once, which leaves 28 for the liveness client run while they are held.
# With as many idlers as slots, the accept loop would wait for a slot (until
# an idler's handshake deadline and 0.5 s linger pass): no service at once.
MAX_CLIENTS = 128
assert IDLE_CONNECTIONS + GOOD_THREADS < MAX_CLIENTS

# Liveness, not a benchmark: a loopback handshake takes milliseconds even
# under ASan; 2 s only catches a server that is stuck or starved of slots.
LIVENESS_LIMIT_S = 2.0

# Resident memory growth allowed from the first reading (after the warm-up,
# which also holds IDLE_CONNECTIONS good connections open at once, so the
# server's peak of threads, stacks and malloc arenas is already in it) to the
# last, across the 2,702 connections in between. Measured on this machine
# (release build, 12 runs): -3.7 to -0.9 MiB, the end below the warm-up peak as
# glibc trims freed memory. 4 MiB is headroom over that noise, not an expected
# figure; a leak of a few KiB per connection exceeds it (a leaked SSL object,
# tens of KiB, by far).
RSS_GROWTH_LIMIT_KIB = 4 * 1024
RSS_NOTE = "measured -3.7 to -0.9 MiB in release builds"

# Socket timeout for each client step: generous, so a slow (sanitized) server
# is not mistaken for a broken one; a hung server fails the test in about
# twice this (the first failure cancels the rest of its phase).
IO_TIMEOUT_S = 10.0
# How long the server may take to close an idle connection after its
# handshake deadline passed.
IDLE_CLOSE_SLACK_S = 10.0

CRASH_SIGNS = re.compile(
    r"AddressSanitizer|LeakSanitizer|ThreadSanitizer|UndefinedBehaviorSanitizer|runtime error:"
    r"|Segmentation fault|Aborted|terminate called|core dumped|stack trace|^\s*#\d+ 0x", re.M)
ERROR_LINE = re.compile(r"^sslfeatures: error: .*client \('127\.0\.0\.1', (\d+)\)")

# What each kind of bad connection must be told in its one line; None: no line.
EXPECTED_CAUSE = {
    "garbage": r"does not speak TLS|no protocol version in common|TLS handshake with .* failed"
               r"|closed the connection during the handshake|reset the connection during the handshake",
    "hello_half_fin": r"closed the connection during the handshake",
    "hello_half_rst": r"reset the connection during the handshake",
    "connect_close": r"closed the connection during the handshake",
    # OpenSSL's own words for an oversized record: 1.1.1 and 3.0 say "packet
    # length too long", 3.5's rewritten record layer "record layer failure".
    "huge_record": r"TLS handshake with .* failed: (packet length too long|record layer failure)",
    # After the handshake the server takes any end without close_notify as
    # the end of the stream, a reset included: an ordinary Python client that
    # closes without unwrap() leaves TLS 1.3 tickets unread, so its kernel
    # sends RST, and that is not a failure. Exactly no line, then.
    "handshake_rst": None,
    "idle": r"timed out in the TLS handshake",
}


class Failures:
    """Collects failed checks, each with one message, so one run shows them all."""

    def __init__(self):
        self.messages = []

    def check(self, ok, message):
        if not ok:
            self.messages.append(message)
            print(f"FAIL: {message}", flush=True)
        return ok


# --- The server under test ------------------------------------------------------

class Server:
    """`sslfeatures server` on 127.0.0.1 and a port the kernel picks; stdout and
    stderr go to files, so a busy server never blocks on a full pipe."""

    def __init__(self, binary, cert, workdir):
        self.out_path = os.path.join(workdir, "server.out")
        self.err_path = os.path.join(workdir, "server.err")
        argv = [binary, "server", "127.0.0.1", "0", "-s", cert,
                "--timeout", str(HANDSHAKE_TIMEOUT_S), "--idle-timeout", str(IDLE_TIMEOUT_S),
                "--max-clients", str(MAX_CLIENTS)]
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        self.port = self._wait_for_port()

    def _wait_for_port(self):
        deadline = time.monotonic() + IO_TIMEOUT_S
        while time.monotonic() < deadline and self.proc.poll() is None:
            m = re.search(r"Listening at interface '127\.0\.0\.1' and port (\d+)\n", self.stdout())
            if m:
                return int(m.group(1))
            time.sleep(0.02)
        raise RuntimeError(f"the server printed no Listening line; stderr: {self.stderr()!r}")

    def stdout(self):
        with open(self.out_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stderr(self):
        with open(self.err_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmRSS line")

    def stop(self):
        """SIGTERM, then SIGKILL if it does not end; returns the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=IO_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


# --- Clients ----------------------------------------------------------------------

def connect(port):
    return socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT_S)


def close_with_reset(sock):
    # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def good_exchange(ctx, port, tag):
    """Handshake (verified), send the tag, close with close_notify both ways.
    Returns the seconds from connect to the end of the handshake."""
    start = time.monotonic()
    with connect(port) as raw, ctx.wrap_socket(raw, server_hostname="localhost") as tls:
        handshake_s = time.monotonic() - start
        tls.sendall(tag.encode())
        # Waits for the server's close_notify, which it sends after printing.
        tls.unwrap()
    return handshake_s


def real_client_hello(ctx):
    """The bytes Python's ssl would send first to this server."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


class BadClients:
    """Each method makes one bad connection and returns its local port, which
    the server's error line names."""

    def __init__(self, ctx, port, seed):
        self.ctx = ctx
        self.port = port
        self.rng = random.Random(seed)
        hello = real_client_hello(ctx)
        self.half_hello = hello[: len(hello) // 2]

    def garbage(self):
        data = self.rng.randbytes(self.rng.randint(1, 2048))
        with connect(self.port) as s:
            s.sendall(data)
            return s.getsockname()[1]

    def hello_half_fin(self):
        with connect(self.port) as s:
            s.sendall(self.half_hello)
            return s.getsockname()[1]

    def hello_half_rst(self):
        s = connect(self.port)
        s.sendall(self.half_hello)
        port = s.getsockname()[1]
        close_with_reset(s)
        return port

    def connect_close(self):
        with connect(self.port) as s:
            return s.getsockname()[1]

    def huge_record(self):
        # A handshake record header announcing 65,535 bytes: more than any
        # TLS record may hold (16 KiB + 2 KiB), so the server must refuse it
        # at once rather than wait for or buffer the body.
        with connect(self.port) as s:
            s.sendall(b"\x16\x03\x01\xff\xff" + b"\x01" * 64)
            return s.getsockname()[1]

    def handshake_rst(self):
        raw = connect(self.port)
        port = raw.getsockname()[1]
        tls = self.ctx.wrap_socket(raw, server_hostname="localhost")
        close_with_reset(tls)
        return port

    KINDS = ("garbage", "hello_half_fin", "hello_half_rst", "connect_close", "huge_record",
             "handshake_rst")


# --- Phases -------------------------------------------------------------------------

class PhaseFailed(Exception):
    """A client step failed: the server stopped answering or broke a handshake."""


def run_all(fn, items, threads, phase):
    """fn(item) for each item from `threads` threads; the results in order.
    The first failure cancels what has not started, so a hung server ends
    the test in bounded time, and names the phase and item."""
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        futures = [pool.submit(fn, item) for item in items]
        try:
            return [f.result() for f in futures]
        except Exception as e:
            item = next(i for i, f in zip(items, futures) if f.done() and f.exception())
            pool.shutdown(wait=True, cancel_futures=True)
            raise PhaseFailed(f"{phase}: {item} failed: {e!r}") from e


def run_good(ctx, port, count, prefix):
    """`count` good exchanges from GOOD_THREADS threads; returns their tags."""
    tags = [f"{prefix}-{i:05d}" for i in range(count)]
    run_all(lambda t: good_exchange(ctx, port, t), tags, GOOD_THREADS, f"good client {prefix}")
    return tags


def hold_good(ctx, port, count):
    """`count` good connections open at the same time, then closed: the
    server's peak of threads (stacks, malloc arenas) is reached before the
    first RSS reading, so growth after it is not the idle phase's peak."""
    tags = [f"held-{i:05d}" for i in range(count)]
    held = []
    for tag in tags:
        tls = ctx.wrap_socket(connect(port), server_hostname="localhost")
        tls.sendall(tag.encode())
        held.append(tls)
    for tls in held:
        tls.unwrap()
        tls.close()
    return tags


def run_bad(bad):
    """BAD_PER_KIND connections of each kind, interleaved, from BAD_THREADS
    threads; returns (port, kind) for each."""
    kinds = [k for k in BadClients.KINDS for _ in range(BAD_PER_KIND)]
    random.Random(1).shuffle(kinds)
    ports = run_all(lambda k: getattr(bad, k)(), kinds, BAD_THREADS, "bad client")
    return list(zip(ports, kinds))


def open_idlers(port):
    """IDLE_CONNECTIONS connections that send nothing; (socket, opened at)."""
    return [(connect(port), time.monotonic()) for _ in range(IDLE_CONNECTIONS)]


def closed_by_server(sock, opened, failures):
    """Waits for the server to close an idle connection; checks it did so
    after its handshake deadline and not much later."""
    sock.settimeout(HANDSHAKE_TIMEOUT_S + IDLE_CLOSE_SLACK_S)
    try:
        closed = sock.recv(1) == b""
    except ConnectionResetError:
        closed = True
    except socket.timeout:
        closed = False
    waited = time.monotonic() - opened
    failures.check(closed, f"idle connection not closed by the server within "
                           f"{HANDSHAKE_TIMEOUT_S + IDLE_CLOSE_SLACK_S:.0f} s")
    # The server's deadline starts at accept(), after our connect(): never earlier.
    failures.check(not closed or waited >= HANDSHAKE_TIMEOUT_S - 0.05,
                   f"idle connection closed after {waited:.2f} s, before the "
                   f"{HANDSHAKE_TIMEOUT_S} s handshake timeout")
    return waited


# --- Checks on what the server printed ----------------------------------------------

def check_printed_tags(stdout, tags, failures):
    printed = collections.Counter(re.findall(r"^b'([^']*)'$", stdout, re.M))
    missing = [t for t in tags if printed[t] != 1]
    failures.check(not missing, f"{len(missing)} of {len(tags)} good clients' data not printed "
                                f"exactly once as b'...', e.g. {missing[:3]}")


def check_error_lines(stderr, bad_conns, failures):
    """Exactly one error line per failed connection, with its cause; none
    for the kinds the server rightly takes as a normal end."""
    lines = stderr.splitlines()
    errors = [ln for ln in lines if ln.startswith("sslfeatures: error: ")]
    failed = expected_error_lines(bad_conns)
    failures.check(len(errors) == failed,
                   f"{len(errors)} error lines on stderr for {failed} failed connections")
    by_port = collections.defaultdict(list)
    for ln in errors:
        m = ERROR_LINE.match(ln)
        failures.check(m is not None, f"error line names no client: {ln!r}")
        if m:
            by_port[int(m.group(1))].append(ln)
    wrong = collections.Counter()
    example = {}
    for port, kind in bad_conns:
        cause = EXPECTED_CAUSE[kind]
        if cause is None:
            continue
        line = by_port[port].pop(0) if by_port[port] else None
        if line is None or not re.search(cause, line):
            wrong[kind] += 1
            example.setdefault(kind, line)
    failures.check(not wrong, f"bad connections without their own error line giving the expected "
                              f"cause, by kind: {dict(wrong)}; e.g. {example}")
    extra = [ln for rest in by_port.values() for ln in rest]
    failures.check(not extra, f"{len(extra)} error lines for connections that should have none, "
                              f"e.g. {extra[:3]}")
    others = [ln for ln in lines if not ln.startswith("sslfeatures: error: ")
              and ln != "sslfeatures: server stopped"]
    failures.check(not others, f"unexpected lines on stderr: {others[:5]}")


def expected_error_lines(bad_conns):
    return sum(1 for _, kind in bad_conns if EXPECTED_CAUSE[kind] is not None)


def wait_for_error_lines(server, expected):
    """Lets the server finish logging (its threads end on their own)."""
    deadline = time.monotonic() + IDLE_CLOSE_SLACK_S
    while time.monotonic() < deadline:
        if server.stderr().count("sslfeatures: error: ") >= expected:
            return
        time.sleep(0.05)


# --- Main -----------------------------------------------------------------------------

def make_pki(binary, workdir):
    subprocess.run([binary, "pki", os.path.join(workdir, "pki")], check=True,
                   stdout=subprocess.DEVNULL, timeout=IO_TIMEOUT_S)
    return os.path.join(workdir, "pki", "ca.crt"), os.path.join(workdir, "pki", "localhost.pem")


def client_context(ca):
    ctx = ssl.create_default_context(cafile=ca)  # verifies chain and host name
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
    return ctx


def exercise(server, ca, failures):
    """Runs the phases; returns (rss after warm-up, rss at end) in KiB."""
    ctx = client_context(ca)
    t0 = time.monotonic()
    tags = run_good(ctx, server.port, WARMUP_HANDSHAKES, "warm")
    tags += hold_good(ctx, server.port, IDLE_CONNECTIONS)
    time.sleep(0.5)  # lets the held connections' threads end and free their memory
    rss_before = server.rss_kib()
    tags += run_good(ctx, server.port, GOOD_HANDSHAKES, "good")
    t1 = time.monotonic()
    print(f"good: {WARMUP_HANDSHAKES}+{GOOD_HANDSHAKES} handshakes in {t1 - t0:.1f} s", flush=True)

    seed = int(os.environ.get("SF_ABUSE_SEED", time.time_ns() % 1_000_000))
    bad_conns = run_bad(BadClients(ctx, server.port, seed))
    t2 = time.monotonic()
    print(f"bad: {len(bad_conns)} connections in {t2 - t1:.1f} s (garbage seed {seed}, "
          f"SF_ABUSE_SEED repeats it)", flush=True)

    idlers = open_idlers(server.port)
    # Liveness while the idlers hold their slots: they must not starve a good client.
    held_s = good_exchange(ctx, server.port, "while-idlers-held")
    failures.check(held_s <= LIVENESS_LIMIT_S, f"a good handshake while {IDLE_CONNECTIONS} idlers "
                                               f"were held took {held_s:.2f} s (limit {LIVENESS_LIMIT_S} s)")
    waits = [closed_by_server(s, opened, failures) for s, opened in idlers]
    bad_conns += [(s.getsockname()[1], "idle") for s, _ in idlers]
    for s, _ in idlers:
        s.close()
    t3 = time.monotonic()
    print(f"idle: {IDLE_CONNECTIONS} closed by the server after {min(waits):.2f}-{max(waits):.2f} s",
          flush=True)

    after_s = good_exchange(ctx, server.port, "after-abuse")
    failures.check(after_s <= LIVENESS_LIMIT_S,
                   f"a good handshake after the abuse took {after_s:.2f} s (limit {LIVENESS_LIMIT_S} s)")
    tags += ["while-idlers-held", "after-abuse"]
    print(f"liveness: handshake {held_s * 1000:.1f} ms with idlers held, {after_s * 1000:.1f} ms after",
          flush=True)

    wait_for_error_lines(server, expected_error_lines(bad_conns))
    rss_after = server.rss_kib()
    check_printed_tags(server.stdout(), tags, failures)
    total = len(tags) + len(bad_conns)
    accepted = server.stdout().count("Connection from host '127.0.0.1'")
    failures.check(accepted == total, f"{accepted} 'Connection from' lines for {total} connections")
    print(f"total: {total} connections in {time.monotonic() - t0:.1f} s", flush=True)
    return bad_conns, rss_before, rss_after


def check_rss(before, after, failures):
    growth = after - before
    print(f"rss: {before} KiB after warm-up, {after} KiB at the end, growth {growth} KiB "
          f"(limit {RSS_GROWTH_LIMIT_KIB} KiB; {RSS_NOTE})", flush=True)
    if os.environ.get("SF_TEST_SANITIZED") == "1":
        print("rss: sanitized build, growth NOT asserted (ASan's quarantine holds freed memory)")
        return
    failures.check(growth <= RSS_GROWTH_LIMIT_KIB,
                   f"server resident memory grew by {growth} KiB, more than {RSS_GROWTH_LIMIT_KIB} KiB")


def main():
    binary = os.environ["SSLFEATURES_BIN"]
    failures = Failures()
    with tempfile.TemporaryDirectory(prefix="sf-abuse-") as workdir:
        ca, cert = make_pki(binary, workdir)
        server = Server(binary, cert, workdir)
        measured = None
        try:
            measured = exercise(server, ca, failures)
        except (PhaseFailed, OSError) as e:
            failures.check(False, f"the server stopped serving: {e}")
        finally:
            status = server.stop()
        stderr = server.stderr()
        failures.check(status == 0, f"server exit status {status} after SIGTERM (expected 0)")
        crash = CRASH_SIGNS.search(stderr)
        failures.check(crash is None, f"stderr looks like a crash: {crash and crash.group(0)!r}")
        if measured:
            bad_conns, rss_before, rss_after = measured
            check_error_lines(stderr, bad_conns, failures)
            check_rss(rss_before, rss_after, failures)
    if failures.messages:
        print(f"{len(failures.messages)} check(s) failed", file=sys.stderr)
        return 1
    print("abuse: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
