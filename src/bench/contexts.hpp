// The two contexts of a bench case, pinned so that the handshake can only
// negotiate what the case's name claims: exactly its version, suite and
// group, its certificate, and its kind of resumption.
#pragma once

#include "bench/matrix.hpp"
#include "tls/ossl_ptr.hpp"

namespace sslfeatures::bench {

// Throw cli::Error(kFailure) when the library refuses the case's settings.
tls::SslCtxPtr server_context(const Case& c);
tls::SslCtxPtr client_context(const Case& c);

}  // namespace sslfeatures::bench
