// The floor of a bulk case: what the suite's record protection costs on its
// own, timed with the raw EVP calls in the same process: an AEAD seal and
// open per record, or for CBC suites an HMAC and a CBC pass per record
// (MAC-then-encrypt or encrypt-then-MAC), over a payload cut into records of
// at most 16384 bytes as TLS cuts it. No record layer, no copies, no random
// explicit IVs: a lower bound, as the handshake floor is.
#pragma once

#include <cstddef>

#include <openssl/ssl.h>

namespace sslfeatures::bench {

struct BulkFloor {
    double seal_ns = 0;  // protecting one payload (the sender's work); 0: no floor
    double open_ns = 0;  // checking and decrypting it (the receiver's work)
};

// Measured once per suite, version, size and MAC order, then cached.
// Thread-safe. A cipher this floor cannot drive (CCM, for one) has none.
// Throws Error(kFailure) when the library refuses an operation.
BulkFloor bulk_floor(const SSL_CIPHER* cipher, int version, std::size_t payload, bool encrypt_then_mac);

}  // namespace sslfeatures::bench
