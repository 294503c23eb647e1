// The names a certificate is for: its subject CN and its DNS and IP SANs.
#pragma once

#include <string>
#include <vector>

#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace sslfeatures::tls {

struct CertificateNames {
    std::vector<std::string> common_names;
    std::vector<std::string> dns;
    std::vector<std::string> ips;
    std::vector<std::string> all() const;  // CN first, then DNS, then IP, without repeats
};

CertificateNames certificate_names(X509* cert);
std::vector<std::string> peer_certificate_names(SSL* ssl);

// The peer's certificate, owned (SSL_get1_peer_certificate on 3.0+).
X509* peer_certificate(SSL* ssl);

}  // namespace sslfeatures::tls
