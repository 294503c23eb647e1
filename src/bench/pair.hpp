// One client/server pair shaking hands over and over for one case, in memory
// (a BIO pair: no kernel in the loop) or over loopback TCP, and the check that
// each handshake negotiated what the case's name claims.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bench/matrix.hpp"
#include "tls/handshake_engine.hpp"
#include "tls/net.hpp"
#include "util/ossl_ptr.hpp"

namespace sslfeatures::bench {

enum class Transport { memory, tcp };

std::string_view transport_name(Transport transport);

// Running totals over the handshakes that were measured (a sample: reading a
// CPU clock is a system call, too dear to pay on every handshake).
struct Measures {
    std::int64_t sampled = 0;
    double client_cpu_ns = 0;
    double server_cpu_ns = 0;
    double client_to_server_bytes = 0;
    double server_to_client_bytes = 0;
};

class Pair {
  public:
    // Throws Error(kFailure) when the contexts cannot be configured. In
    // memory, each direction buffers `memory_buffer` bytes (0: 17 KiB).
    Pair(const Case& c, Transport transport, std::size_t memory_buffer = 0);
    Pair(const Pair&) = delete;
    Pair& operator=(const Pair&) = delete;

    // A full handshake, checked; for resumed modes it keeps the session and
    // then checks one resumed handshake. Returns "" or what went wrong.
    std::string prime();

    // One handshake as the case prescribes. `measure` samples per-side CPU
    // and bytes. Each handshake's resumed-or-not is checked, because a
    // "resumed" case that falls back to full handshakes is the classic bug.
    // Returns false on failure; error() says why.
    bool handshake(bool measure);

    // Checks everything the name claims on the last handshake.
    std::string check_last() const;

    const std::string& error() const { return error_; }
    const Measures& measures() const { return measures_; }
    // The last handshake's objects, for tests that read them another way.
    SSL* client() const { return engine_.client(); }
    SSL* server() const { return engine_.server(); }
    // The client's context, for a caller that watches its handshake messages.
    SSL_CTX* client_ctx() const { return client_ctx_.get(); }

  private:
    bool connect_transport(bool resume);
    bool run(bool measure, bool resume);
    bool drive(bool measure);

    Case case_;
    Transport transport_;
    std::size_t memory_buffer_;
    SslCtxPtr client_ctx_;
    SslCtxPtr server_ctx_;
    std::optional<tls::Listener> listener_;  // tcp: on a loopback port
    tls::HandshakeEngine engine_;
    SslSessionPtr session_;  // the session resumed cases offer
    std::string error_;
    Measures measures_;
};

// Whether this library can still complete a handshake at `version` (TLS 1.1
// and 1.0 at security level 0); "" or OpenSSL's reason.
std::string negotiation_failure(int version);

}  // namespace sslfeatures::bench
