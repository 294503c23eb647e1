// The ciphers a library knows and the ones each protocol version enables.
#pragma once

#include <vector>

#include "audit/snapshot.hpp"

namespace sslfeatures::audit {

// Every cipher the library can name, in code-point order. No list of names
// is kept here: each of the 65,536 two-byte code points is looked up.
std::vector<Cipher> known_ciphers();

// For each protocol version from SSLv3 to TLS 1.3 that this build knows, the
// ciphers a context with the library's defaults enables when pinned to it.
std::vector<ProtocolCiphers> ciphers_per_protocol();

}  // namespace sslfeatures::audit
