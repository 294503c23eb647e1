// What a context would offer in a ClientHello: its protocol versions, groups
// and signature algorithms after OpenSSL has applied the security level, the
// protocol bounds and the options.
//
// OpenSSL has no getter for the configured groups or signature algorithms:
// SSL_get1_groups and SSL_get_sigalgs read what a *peer* sent. So an SSL made
// from the context writes its ClientHello into memory, and a throwaway server
// reads it with those very getters.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <openssl/ssl.h>

#include "tls/signature_schemes.hpp"

namespace sslfeatures::tls {

struct HelloProbe {
    bool ok = false;
    std::string error;  // why the probe failed, when !ok

    // Highest first. From supported_versions when the hello has it (TLS 1.3
    // offered); otherwise only the legacy version, the highest one, is known.
    std::vector<int> versions;
    bool versions_complete = false;

    std::vector<std::string> groups;  // preference order
    std::vector<SignatureScheme> signature_algorithms;  // preference order
};

// Never throws: a failure is reported in the result, so the other rows can
// still be printed.
HelloProbe probe_client_hello(SSL_CTX* ctx);

}  // namespace sslfeatures::tls
