#!/usr/bin/env python3
"""Makes the seed corpora in tests/fuzz/corpus/ (docs/hardening.md).

    tests/fuzz/make_seeds.py SSLFEATURES_BIN [CORPUS_DIR]

snapshot:     the reference tables in tables/, cut down so that mutations stay
              fast (a few entries per list), plus one with a bench section.
selectors:    selector lines as users type them (see fuzz_selectors.cpp).
cert_key:     PEM files from the tool's own `sslfeatures pki DIR` (RSA, ECDSA,
              Ed25519), a chain, a CA bundle, and broken ones.
server_hello: the first bytes real clients send (openssl s_client, Python's
              ssl, gnutls-cli, sslfeatures client), caught on a loopback
              socket on a free port: the first TLS record, a ClientHello.
Seeds are written by name, so running it again replaces them (the captured
ClientHellos differ every time: they carry random bytes).
"""
import json
import pathlib
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading

REPO = pathlib.Path(__file__).resolve().parents[2]


def trim(value, keep):
    """The same document with at most `keep` entries in each list or object."""
    if isinstance(value, dict):
        return {k: trim(v, keep) for k, v in list(value.items())[:keep]}
    if isinstance(value, list):
        return [trim(v, keep) for v in value[:keep]]
    return value


def snapshot_seeds(out):
    for table in sorted((REPO / "tables").glob("openssl-*.json")):
        doc = json.loads(table.read_text())
        small = {k: trim(v, 3) for k, v in doc.items()}
        # The reader requires all three parts of `defaults`.
        small["defaults"] = {k: trim(v, 3) for k, v in doc["defaults"].items()}
        (out / f"{table.stem}-small.json").write_text(json.dumps(small, indent=2) + "\n")
    small["bench"] = {"cases": [
        {"id": "tls1.3/TLS_AES_128_GCM_SHA256/rsa-2048/x25519/full", "handshakes_per_second": 1234.5,
         "cv": 0.02, "repetitions": 5}]}
    (out / "with-bench.json").write_text(json.dumps(small, indent=2) + "\n")


SELECTORS = {
    "bench-tls13": "tls1.3\nTLS_AES_128_GCM_SHA256\nrsa-2048\nx25519\nfull\n",
    "bench-tls12": "tls1.2\nECDHE-RSA-AES128-GCM-SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384\necdsa-p256,rsa-2048\np-256,ffdhe2048,rsa\nsession-id,ticket\n",
    "bench-quick": "\n\n\n\n\nquick\n",
    "bench-legacy": "TLS1.1,tls1.0,tls1.2\nECDHE-ECDSA-AES128-SHA\ned25519\nx25519mlkem768\nfull\n",
    "client-tls13": "\n\n\n\n\n\nTLSv1.3\nTLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256\nX25519:P-256\n",
    "client-tls12": "\n\n\n\n\n\ntls1_2\nECDHE+AESGCM:!aNULL\nffdhe2048:secp384r1\n",
    "client-default": "\n\n\n\n\n\n\n\n",
}


def selector_seeds(out):
    for name, text in SELECTORS.items():
        (out / name).write_text(text)


def pki(tool, key, tmp):
    d = tmp / key
    subprocess.run([tool, "pki", str(d), "--key", key], check=True, stdout=subprocess.DEVNULL)
    return (d / "localhost.pem").read_text(), (d / "ca.crt").read_text(), (d / "ca.key").read_text()


def cert_key_seeds(tool, out, tmp):
    made = {key: pki(tool, key, tmp) for key in ("rsa-2048", "ecdsa-p256", "ed25519")}
    for key, (leaf_pem, ca_crt, _) in made.items():
        (out / f"{key}-localhost.pem").write_text(leaf_pem)
        (out / f"{key}-ca.crt").write_text(ca_crt)
    leaf_pem, ca_crt, _ = made["ecdsa-p256"]
    cert, key = leaf_pem.split("-----END CERTIFICATE-----\n", 1)
    cert += "-----END CERTIFICATE-----\n"
    (out / "chain.pem").write_text(cert + ca_crt + key)
    (out / "ca-bundle.crt").write_text("".join(m[1] for m in made.values()))
    (out / "broken-truncated.pem").write_text(leaf_pem[: len(leaf_pem) // 2])
    (out / "broken-wrong-key.pem").write_text(cert + made["rsa-2048"][0].split("-----END CERTIFICATE-----\n", 1)[1])


def first_record(conn):
    """The first TLS record the client sends, or whatever came before it gave up."""
    conn.settimeout(5)
    data = b""
    while len(data) < 5 or len(data) < 5 + int.from_bytes(data[3:5], "big"):
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def python_client(port):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    try:
        with socket.create_connection(("127.0.0.1", port)) as s:
            ctx.wrap_socket(s, server_hostname="localhost")
    except (OSError, ssl.SSLError):
        pass  # we hang up after the ClientHello


def capture(name, start_client, out):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        client = start_client(port)
        conn, _ = listener.accept()
        with conn:
            (out / f"{name}.bin").write_bytes(first_record(conn))
    if isinstance(client, subprocess.Popen):
        client.kill()
        client.wait()
    else:
        client.join()


def command(*args):
    return lambda port: subprocess.Popen([a.replace("PORT", str(port)) for a in args], stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def server_hello_seeds(tool, out):
    clients = {
        "openssl-tls13-sni-alpn": command("openssl", "s_client", "-connect", "127.0.0.1:PORT", "-tls1_3",
                                          "-servername", "localhost", "-alpn", "h2,http/1.1"),
        "openssl-tls13-nosni": command("openssl", "s_client", "-connect", "127.0.0.1:PORT", "-tls1_3",
                                       "-noservername"),
        "openssl-tls12-sni": command("openssl", "s_client", "-connect", "127.0.0.1:PORT", "-tls1_2",
                                     "-servername", "example.com"),
        "openssl-tls12-nosni": command("openssl", "s_client", "-connect", "127.0.0.1:PORT", "-tls1_2",
                                       "-noservername"),
        "gnutls-cli": command("gnutls-cli", "--insecure", "--sni-hostname=localhost", "--alpn=h2", "--port",
                              "PORT", "127.0.0.1"),
        "sslfeatures-client": command(tool, "client", "localhost", "PORT", "--alpn", "http/1.1"),
        "python-ssl": lambda port: threading.Thread(target=python_client, args=(port,), daemon=True),
    }
    for name, start in clients.items():
        def started(port, start=start):
            client = start(port)
            if isinstance(client, threading.Thread):
                client.start()
            return client
        capture(name, started, out)
    (out / "plain-http.bin").write_bytes(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    tool = str(pathlib.Path(sys.argv[1]).resolve())
    corpus = pathlib.Path(sys.argv[2]) if len(sys.argv) == 3 else REPO / "tests" / "fuzz" / "corpus"
    dirs = {name: corpus / name for name in ("snapshot", "selectors", "cert_key", "server_hello")}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    snapshot_seeds(dirs["snapshot"])
    selector_seeds(dirs["selectors"])
    tmp = pathlib.Path(tempfile.mkdtemp())
    try:
        cert_key_seeds(tool, dirs["cert_key"], tmp)
    finally:
        shutil.rmtree(tmp)
    server_hello_seeds(tool, dirs["server_hello"])


if __name__ == "__main__":
    main()
