// The two contexts of a bench case, pinned so that the handshake can only
// negotiate what the case's name claims: exactly its version, suite and
// group, its certificate, and its kind of resumption.
#pragma once

#include "bench/matrix.hpp"
#include "util/ossl_ptr.hpp"

namespace sslfeatures::bench {

// Throw Error(kFailure) when the library refuses the case's settings.
SslCtxPtr server_context(const Case& c);
SslCtxPtr client_context(const Case& c);

}  // namespace sslfeatures::bench
