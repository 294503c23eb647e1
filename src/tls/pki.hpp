// A small certificate authority: keys, a CA, leaf certificates signed by it,
// and PEM text, for the `pki` subcommand and for tests that need certificates
// (expired ones, ones for another name, ones from another CA) made on the spot.
//
// Failures inside OpenSSL throw Error(kFailure) with OpenSSL's reasons;
// a name that is neither a DNS name nor an IP address throws Error(kUsage).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tls/keys.hpp"
#include "util/ossl_ptr.hpp"

namespace sslfeatures::tls {

// When a certificate is valid, as offsets from the moment it is made; negative
// offsets lie in the past, so tests can make expired and not-yet-valid ones.
struct Validity {
    // An hour back by default, so a peer whose clock is a little behind still
    // accepts a certificate made a moment ago.
    std::chrono::seconds not_before = std::chrono::hours(-1);
    std::chrono::seconds not_after = std::chrono::days(365);

    // Valid from an hour ago until `count` days from now.
    static Validity days(int count) {
        return {std::chrono::hours(-1), std::chrono::days(count)};
    }
};

struct Issued {
    X509Ptr cert;
    EvpPkeyPtr key;
};

// A self-signed CA certificate: basicConstraints CA:TRUE and keyUsage
// keyCertSign+cRLSign, both critical, and a subject key identifier.
Issued make_ca(KeyType type, std::string common_name, Validity validity = {});

// A leaf certificate signed by `ca`. Each entry of `names` that parses as an
// IPv4 or IPv6 address becomes an IP subjectAltName, any other a DNS one
// (letters, digits, '-', '_', dots, and a leading "*." wildcard).
Issued issue_leaf(const Issued& ca, KeyType type, std::string common_name,
                  std::vector<std::string> names, Validity validity = {}, bool server = true,
                  bool client = false);

// A server leaf for `key`, signed by `ca` with `digest`: what probes use to ask
// whether a library still accepts a short RSA key or a SHA-1 signature.
Issued issue_leaf_for_key(const Issued& ca, EvpPkeyPtr key, std::string name, const EVP_MD* digest);

// A self-signed server certificate that is not a CA: trust it directly.
Issued make_self_signed_leaf(KeyType type, std::string common_name,
                             std::vector<std::string> names, Validity validity = {});

// True when `name` can go into a subjectAltName (see issue_leaf): an IP
// literal, a host name or a wildcard name (tls/host_names.hpp).
bool is_valid_san_name(std::string_view name);

std::string to_pem(X509* cert);
// The private key as unencrypted PKCS#8 ("BEGIN PRIVATE KEY").
std::string to_pem(EVP_PKEY* key);

}  // namespace sslfeatures::tls
