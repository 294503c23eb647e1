#!/usr/bin/env bash
# Certificates in the bench's shape, made with the openssl command in DIR: an
# ECDSA P-256 CA (ca.crt) and a localhost leaf per key type (rsa-2048.crt/.key,
# ecdsa-p256.crt/.key). Used by handshake_overhead.sh, bulk_overhead.sh and
# instructions.py.
# Usage: bench/bench_certs.sh DIR
set -euo pipefail
cd "$1"
openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
openssl req -x509 -new -key ca.key -subj /CN=overhead-ca -days 2 -out ca.crt \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
printf 'subjectAltName=DNS:localhost\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n' > leaf.ext
make_leaf() {  # name, keyUsage, openssl genpkey arguments...
  local name=$1 usage=$2; shift 2
  openssl genpkey "$@" -out "$name.key" 2>/dev/null
  openssl req -new -key "$name.key" -subj /CN=localhost -out "$name.csr"
  { cat leaf.ext; echo "keyUsage=critical,$usage"; } > "$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
    -extfile "$name.ext" -out "$name.crt" 2>/dev/null
}
make_leaf rsa-2048 digitalSignature,keyEncipherment -algorithm RSA -pkeyopt rsa_keygen_bits:2048
make_leaf ecdsa-p256 digitalSignature -algorithm EC -pkeyopt ec_paramgen_curve:P-256
