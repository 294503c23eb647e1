// What a context would offer in a ClientHello: its protocol versions, groups
// and signature algorithms after OpenSSL has applied the security level, the
// protocol bounds and the options.
//
// OpenSSL has no getter for the configured groups or signature algorithms:
// SSL_get1_groups and SSL_get_sigalgs read what a *peer* sent. So an SSL made
// from the context writes its ClientHello into memory, and a throwaway server
// reads it with those very getters.
#pragma once

#include <cstddef>
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

    // The hello itself, as a peer or a middlebox sees it.
    std::size_t bytes = 0;                     // the records that carry it, headers included
    std::vector<std::string> key_shares;       // groups with a key in the hello (TLS 1.3)
    std::vector<std::string> ec_point_formats;  // "uncompressed", "ansiX962_compressed_prime" ...
    bool renegotiation_extension = false;      // renegotiation_info (RFC 5746), empty
    bool renegotiation_scsv = false;           // TLS_EMPTY_RENEGOTIATION_INFO_SCSV among the suites
    std::vector<std::string> extensions;       // every extension, in order, by TLSEXT_TYPE_ name
};

// Never throws: a failure is reported in the result, so the other rows can
// still be printed.
HelloProbe probe_client_hello(SSL_CTX* ctx);

}  // namespace sslfeatures::tls
