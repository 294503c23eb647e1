// One probe: a client connection made to learn one fact about a server, with
// everything it offers pinned (version, suites, groups, signature schemes,
// ALPN, a session to resume) and everything the server answered kept. A
// probe never sends application data and never judges the certificate: the
// scanner verifies chains itself, so a probe at security level 0 can see
// what a server accepts without that level ever guarding real traffic.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <openssl/ssl.h>

#include "scan/scan.hpp"
#include "util/ossl_ptr.hpp"

namespace sslfeatures::scan {

struct ProbeSpec {
    int version = 0;            // min = max = this; 0: the library's whole range
    int max_version = 0;        // with `version` 0: offer up to this one only
    std::string cipher_list;    // TLS 1.2 and older; empty: every suite the library has
    std::string ciphersuites;   // TLS 1.3; empty: every suite the library has
    std::string groups;         // empty: the library's default list
    std::string sigalgs;        // empty: the library's default list
    std::vector<std::string> alpn;
    bool no_ticket = false;         // ask for no ticket: resumption by session ID only
    bool fallback_scsv = false;     // a downgraded retry, as browsers used to send
    bool request_ocsp = false;      // ask for a stapled OCSP response
    bool allow_compression = false;
    bool wait_for_tickets = false;  // TLS 1.3: read on until the server's tickets came
    // Stop at the server's first answer: its ServerHello (or HelloRetryRequest)
    // names the version, suite and TLS 1.3 group it chose, which is all an
    // elimination needs. The result's `completed()` then means "chosen".
    bool hello_only = false;
    // With hello_only, TLS 1.3: send the key_share extension empty, as RFC
    // 8446 4.2.8 lets a client do to ask the server to pick a group. The server
    // answers with a HelloRetryRequest naming its choice, and neither side
    // computes a key: what makes probing FFDHE groups cheap.
    bool empty_key_share = false;
    SSL_SESSION* resume = nullptr;  // offer this session (not owned)
};

// A hello_only probe's reason when the first bytes back are no TLS record.
inline constexpr std::string_view kNotTlsReason = "the server does not answer in TLS";

enum class Outcome {
    completed,  // the handshake finished
    refused,    // the server said no within TLS: an alert, or it closed the connection
    failed,     // no TLS conversation: connection refused, timeout, not TLS
};

struct ProbeResult {
    Outcome outcome = Outcome::failed;
    std::string reason;  // why not completed: "handshake failure alert", "timed out"
    int alert = -1;      // the alert the server sent, by its TLS number
    int version = 0;
    std::string cipher, cipher_iana;
    std::optional<std::string> group, signature, alpn, compression;
    std::optional<int> dh_bits;  // a DHE handshake's prime size
    bool resumed = false;
    bool secure_renegotiation = false;
    bool extended_master_secret = false;
    bool encrypt_then_mac = false;
    bool hello_retry = false;   // the server asked for another key share
    int tickets = 0;            // sessions the server handed over
    long ocsp_bytes = -1;       // -1: nothing stapled
    SslSessionPtr session;      // to resume later
    std::vector<X509Ptr> chain; // as sent, leaf first

    bool completed() const { return outcome == Outcome::completed; }
};

// Makes probes against one target: one shared client context at security
// level 0 with verification off (see above), a deadline per connection.
class Prober {
  public:
    Prober(Target target, std::chrono::milliseconds timeout);
    ProbeResult run(const ProbeSpec& spec) const;
    const Target& target() const { return target_; }

  private:
    Target target_;
    std::chrono::milliseconds timeout_;
    SslCtxPtr ctx_;
};

// What this library can offer, asked of a scratch connection: each check sets
// the thing on an SSL object and sees whether OpenSSL takes it.
bool library_offers_version(int version);
bool library_takes_groups(const std::string& groups);
bool library_takes_sigalgs(const std::string& sigalgs);
// Every suite this library can offer pinned to `version` at level 0, in its order.
std::vector<Suite> library_suites(int version);

}  // namespace sslfeatures::scan
