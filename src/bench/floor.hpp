// The crypto floor of a case: the CPU cost of the public-key operations its
// handshake cannot avoid, measured in the same process with the same library.
//
// Full handshake with (EC)DHE: the server signs once and makes and uses one
// key share; the client verifies the server's signature and its certificate's
// (signed by the bench CA, ECDSA P-256) and makes and uses one key share.
// RSA key transport: the client encrypts the premaster secret and verifies
// the certificate; the server decrypts. TLS 1.3 resumption keeps only the key
// shares; TLS 1.2 resumption has no public-key operation, so its floor is 0.
#pragma once

#include <functional>

#include "bench/matrix.hpp"

namespace sslfeatures::bench {

struct Floor {
    double server_ns = 0;
    double client_ns = 0;
    double total_ns() const { return server_ns + client_ns; }
};

// Each operation is timed once per process (a few milliseconds of repeated
// runs on this thread's CPU clock) and cached. Thread-safe. Throws
// Error(kFailure) when the library refuses an operation.
Floor crypto_floor(const Case& c);

// What one run of `op` costs on this thread's CPU clock, as a floor counts
// it: after one warm-up run, the cheapest of five batches of about 4 ms.
double lowest_cost_ns(const std::function<void()>& op);

}  // namespace sslfeatures::bench
