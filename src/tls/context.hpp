// The secure context builder: what create_default_context() does for Python,
// done for OpenSSL with today's defaults. Client and server share it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/ossl_ptr.hpp"

namespace sslfeatures::tls {

enum class Role { client, server };

// The TLS 1.2 suites the secure contexts allow: forward-secret AEAD only.
inline constexpr std::string_view kSecureCipherList =
    "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:!aNULL:!eNULL:!PSK:!SRP:!DSS";

// The secure contexts' security level on every release, unless the system's
// configuration asks for more.
inline constexpr int kSecureSecurityLevel = 2;

struct ContextOptions {
    Role role = Role::client;
    std::string ca_file;    // trust these CAs (client: the server's; server: clients')
    std::string cert_file;  // our certificate chain and private key, PEM
    std::string key_file;   // the key, when not in cert_file
    std::optional<int> protocol;  // exactly this version, e.g. TLS1_2_VERSION
    std::string cipher_list;      // TLS 1.2 and older; empty: kSecureCipherList
    std::string ciphersuites;     // TLS 1.3; empty: the library's
    std::string groups;           // empty: the library's
    std::vector<std::string> alpn;
    bool insecure = false;        // the user asked for no verification, in so many words
};

// --cipher takes either kind of name: TLS 1.3 suites ("TLS_AES_128_GCM_SHA256:...")
// go to `ciphersuites`, anything else is a TLS 1.2 cipher list.
void set_cipher_option(ContextOptions& options, const std::string& cipher);

// Throws Error (exit 2 for bad files or names the user gave, 3 otherwise).
SslCtxPtr make_secure_context(const ContextOptions& options);


// Points `ssl` at the host it is meant to reach: SNI for names, and the name
// or address its certificate must show.
void expect_peer_name(SSL* ssl, const std::string& host);

}  // namespace sslfeatures::tls
