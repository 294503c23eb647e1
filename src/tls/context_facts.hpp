// What a live SSL_CTX has chosen, read back through OpenSSL's getters: the
// facts behind `sslfeatures defaults`. Nothing here restates our own settings;
// a context built elsewhere reads back the same way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <openssl/ssl.h>

#include "tls/hello_probe.hpp"

namespace sslfeatures::tls {

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
    HelloProbe hello;  // versions enabled, groups, signature algorithms
};

ContextFacts read_context_facts(SSL_CTX* ctx);

}  // namespace sslfeatures::tls
