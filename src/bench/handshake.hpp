// One client/server pair shaking hands over and over for one case, in memory
// (a BIO pair: no kernel in the loop) or over loopback TCP, and the check that
// each handshake negotiated what the case's name claims.
#pragma once

#include <cstdint>
#include <string>

#include "bench/matrix.hpp"
#include "tls/ossl_ptr.hpp"
#include "tls/pki.hpp"

namespace sslfeatures::bench {

enum class Transport { memory, tcp };

std::string_view transport_name(Transport transport);

// The bench CA (ECDSA P-256) and one "localhost" leaf per key type, made on
// first use and shared by every pair and thread. Thread-safe.
const tls::Issued& bench_ca();
const tls::Issued& bench_leaf(tls::KeyType key);

// What a finished handshake negotiated, read off the client's SSL object.
struct Negotiated {
    int version = 0;
    std::string cipher;  // OpenSSL's name
    std::string group;   // Group::id, "rsa" for RSA key transport, "" when none
    std::string key;     // tls::key_type_name of the server's certificate key
    bool resumed = false;
};
Negotiated read_negotiated(SSL* client);

// "" when `got` is what `c` claims; otherwise one line saying what differs.
// A resumed TLS 1.2 handshake runs no key exchange, so its group is not
// checked (the priming handshake checked it).
std::string mismatch(const Case& c, const Negotiated& got);

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
    // Throws cli::Error(kFailure) when the contexts cannot be configured.
    Pair(const Case& c, Transport transport);
    ~Pair();
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
    SSL* client() const { return client_.get(); }
    SSL* server() const { return server_.get(); }

  private:
    bool connect_transport(bool resume);
    bool run(bool measure, bool resume);
    bool drive(bool measure);
    void drain_tickets();

    Case case_;
    Transport transport_;
    tls::SslCtxPtr client_ctx_;
    tls::SslCtxPtr server_ctx_;
    tls::SslPtr client_;
    tls::SslPtr server_;
    SSL_SESSION* session_ = nullptr;  // the session resumed cases offer
    int listener_ = -1;               // tcp: the loopback listening socket
    std::string error_;
    Measures measures_;
};

// Whether this library can still complete a handshake at `version` (TLS 1.1
// and 1.0 at security level 0); "" or OpenSSL's reason.
std::string negotiation_failure(int version);

}  // namespace sslfeatures::bench
