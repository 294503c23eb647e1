// What a live SSL_CTX has chosen, read back through OpenSSL's getters: the
// facts behind `sslfeatures defaults`. Nothing here restates our own settings;
// a context built elsewhere reads back the same way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <openssl/ssl.h>

#include "tls/hello_probe.hpp"

namespace sslfeatures::tls {

// What each connection made from a context gets beyond the context's own
// settings, e.g. the host name our client expects (tls::expect_peer_name).
struct ConnectionSetup {
    std::string description;  // how, in words: "SSL_set1_host per connection (...)"
    std::function<void(SSL*)> apply;  // empty: nothing
};

// How a connection checks the peer's host name (Python's check_hostname and
// hostname_checks_common_name), read from an SSL after its ConnectionSetup.
struct HostCheck {
    bool name_checked = false;  // verification under the SSL's parameters checks a name
    bool verify_peer = false;   // SSL_VERIFY_PEER: a mismatch ends the handshake
    std::string how;            // the setup's description when it checks a name
    // OpenSSL matches the subject CN only when a certificate has no DNS
    // subjectAltName, and never with X509_CHECK_FLAG_NEVER_CHECK_SUBJECT.
    bool subject_cn_fallback = true;
    bool on() const { return name_checked && verify_peer; }
};

struct ContextFacts {
    std::string method;  // "TLS_method", "TLS_client_method", "TLS_server_method"
    int min_protocol = 0;  // 0: the library's lowest
    int max_protocol = 0;  // 0: the library's highest
    std::uint64_t options = 0;
    int verify_mode = 0;
    std::uint64_t verify_flags = 0;
    std::uint64_t host_flags = 0;
    int security_level = 0;
    std::vector<std::string> tls12_ciphers;  // TLS 1.2 and older, preference order
    std::vector<std::string> tls13_suites;   // preference order
    long session_cache_mode = 0;
    long session_cache_size = 0;
    long session_timeout = 0;  // seconds
    std::size_t tls13_tickets = 0;
    bool no_ticket = false;
    bool no_compression = false;
    bool no_renegotiation = false;
    HostCheck host_check;
    HelloProbe hello;  // versions enabled, groups, signature algorithms
};

// `setup` is what connections made from ctx get (none by default); the host
// name check is read from a fresh SSL it was applied to.
ContextFacts read_context_facts(SSL_CTX* ctx, const ConnectionSetup& setup = {});

}  // namespace sslfeatures::tls
