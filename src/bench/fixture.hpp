// The certificates every bench pair uses: an ECDSA P-256 CA and one
// "localhost" leaf per key type, made on first use and shared by every pair
// and thread.
#pragma once

#include <string>

#include "tls/pki.hpp"

namespace sslfeatures::bench {

// Thread-safe; throw Error(kFailure) when OpenSSL cannot make them.
const tls::Issued& bench_ca();
const tls::Issued& bench_leaf(tls::KeyType key);

// Setup that must work before anything is measured has failed: throws
// Error(kFailure) with "bench: cannot WHAT: " and OpenSSL's reason.
[[noreturn]] void setup_failed(const std::string& what);

}  // namespace sslfeatures::bench
