// What was negotiated on a connection: test_tls.py's report and the further
// facts OpenSSL can tell (group, signature, ALPN, chain ...), as one typed
// model that render/connection_report's text (test_tls.py's dotted lines)
// and JSON both read.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tls/connection.hpp"
#include "tls/signature_schemes.hpp"

namespace sslfeatures::tls {

struct ReportContext {
    Role role = Role::client;
    Endpoint address;          // client: where we connect; server: where we listen
    Endpoint client_address;   // server only
    std::string expected_host; // client only: the name or address we asked for
    bool verified = true;      // false under --insecure
    bool loaded_cas = false;   // server only: it was given -a
};

// Python's SSLContext.cert_store_stats().
struct StoreStats {
    int crl = 0, x509 = 0, x509_ca = 0;
};

struct ChainCertificate {
    std::string subject, issuer;  // RFC 2253
    std::string key;              // tls::key_name: "rsa-2048", "ecdsa-p256", "ed25519"
    std::string not_after;        // "2027-01-01T00:00:00Z"
};

struct ConnectionReport {
    Role role = Role::client;
    Endpoint address;                       // client: the peer; server: where we listen
    std::optional<Endpoint> client_address;  // server only
    bool peer_certificate = false;
    std::vector<std::string> peer_names;  // with a certificate: CN, DNS, IP
    std::optional<bool> name_match;       // client with a certificate only
    std::string expected_host;            // what name_match was about
    std::optional<StoreStats> store;      // client, or a server given -a
    int version = 0;                      // SSL_version(): 0x0304 for TLS 1.3
    std::string protocol;                 // "TLSv1.3"
    std::string cipher;                   // "TLS_AES_256_GCM_SHA384"
    std::string cipher_version;           // the version that defined it
    int cipher_bits = 0;
    std::optional<std::string> compression, group;
    std::optional<SignatureScheme> peer_signature;
    std::optional<std::string> alpn, sni;
    bool resumed = false;
    bool extended_master_secret = false;  // always in TLS 1.3
    bool asked_for_ocsp = false;          // the client asks for a staple, so it has the row
    std::optional<long> ocsp_staple_bytes;  // nullopt: none came
    std::vector<ChainCertificate> chain;  // as the peer sent it, leaf first
    double handshake_ms = 0;
};

ConnectionReport connection_report(const Connection& conn, const ReportContext& context);

// The group the handshake's key exchange used, as the library names it;
// nullopt for none (RSA key transport, a resumed TLS 1.2 session).
std::optional<std::string> negotiated_group(SSL* ssl);
// The ALPN protocol the server selected; nullopt for none.
std::optional<std::string> selected_alpn(SSL* ssl);

// The peer's whole certificate, as `openssl x509 -text` prints it.
std::string peer_certificate_text(const Connection& conn);

}  // namespace sslfeatures::tls
