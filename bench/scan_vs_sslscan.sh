#!/usr/bin/env bash
# A full `sslfeatures scan` of a loopback nginx beside sslscan's default scan
# of the same server, interleaved by hyperfine (-N: no shell in between),
# with each one's median wall time and the ratio of the medians.
# The nginx is configured as the tests configure theirs: TLS 1.2 and 1.3,
# RSA-2048 and ECDSA P-256 certificates, a server suite order, tickets on.
# It runs as the current user, everything it writes in a temporary directory.
# Usage: bench/scan_vs_sslscan.sh [BUILD_DIR]   (RUNS=10)
set -euo pipefail
build=${1:-build}
bin=$(realpath "$build/sslfeatures")
runs=${RUNS:-10}
nginx=$(command -v nginx || echo /usr/sbin/nginx)

work=$(mktemp -d)
cleanup() {
  [ -f "$work/nginx.pid" ] && kill -QUIT "$(cat "$work/nginx.pid")" 2>/dev/null
  sleep 0.2
  rm -rf "$work"
}
trap cleanup EXIT

"$bin" pki "$work/rsa" --key rsa-2048 >/dev/null
"$bin" pki "$work/ecdsa" --key ecdsa-p256 >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
user_line=
[ "$(id -u)" -eq 0 ] && user_line="user $(id -un) $(id -gn);"
mkdir -p "$work/tmp"
cat >"$work/nginx.conf" <<CONF
$user_line
daemon on;
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $work/tmp; proxy_temp_path $work/tmp; fastcgi_temp_path $work/tmp;
  uwsgi_temp_path $work/tmp; scgi_temp_path $work/tmp;
  server {
    listen 127.0.0.1:$port ssl;
    ssl_certificate $work/rsa/localhost.pem;  ssl_certificate_key $work/rsa/localhost.pem;
    ssl_certificate $work/ecdsa/localhost.pem; ssl_certificate_key $work/ecdsa/localhost.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-SHA;
    ssl_prefer_server_ciphers on;
    ssl_session_tickets on;
    ssl_session_cache shared:SSL:1m;
    location / { return 200 "ok\n"; }
  }
}
CONF
"$nginx" -p "$work" -c "$work/nginx.conf" -e "$work/error.log"
for _ in $(seq 50); do
  python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$port" 2>/dev/null && break
  sleep 0.1
done

hyperfine -N --style basic --warmup 1 --runs "$runs" --export-json "$work/times.json" \
  -n sslscan "sslscan --no-colour 127.0.0.1:$port" \
  -n "sslfeatures scan" "$bin scan 127.0.0.1:$port -a $work/ecdsa/ca.crt" >/dev/null
python3 - "$work/times.json" "$bin" "$port" "$work/ecdsa/ca.crt" <<'PY'
import json, subprocess, sys
results = json.load(open(sys.argv[1]))["results"]
medians = {r["command"]: r["median"] for r in results}
scan = json.loads(subprocess.run([sys.argv[2], "scan", "127.0.0.1:" + sys.argv[3], "-a", sys.argv[4], "-f", "json"],
                                 capture_output=True, text=True, check=True).stdout)
for name, median in medians.items():
    print(f"{name:18} median {median * 1000:8.1f} ms")
print(f"sslfeatures scan / sslscan: {medians['sslfeatures scan'] / medians['sslscan']:.2f} "
      f"(sslfeatures made {scan['stats']['connections']} connections)")
PY
