// Whether clients still accept server certificates that security levels and
// releases have turned against: a leaf signed with SHA-1, a 1024-bit RSA key.
// NEWS for 3.0 says SHA-1 signatures are refused from level 1; what a given
// build really does (its level, its configuration) is found by handshakes.
#pragma once

#include <vector>

#include "audit/snapshot.hpp"

namespace sslfeatures::audit {

// The sides that judge each certificate, as the defaults name them: a client
// context with TLS_method()'s defaults ("library_default") and sslfeatures'
// secure client ("client"). Both trust the probe CA and check the host name.
inline constexpr const char* kCertificateSides[] = {"library_default", "client"};

// One in-memory handshake per certificate and side, against a server that
// presents the certificate at security level 0 (so only the client judges).
// A control certificate (RSA-2048, SHA-256) comes first: when it fails, the
// probe itself is broken, and the other verdicts mean nothing.
std::vector<CertificateProbe> probe_certificates();

}  // namespace sslfeatures::audit
