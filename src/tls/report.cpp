#include "tls/report.hpp"

#include <ctime>

#include <fmt/format.h>

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/x509v3.h>

#include "tls/host_names.hpp"
#include "tls/keys.hpp"
#include "tls/peer_names.hpp"
#include "tls/x509_text.hpp"
#include "util/openssl_text.hpp"

namespace sslfeatures::tls {
namespace {

// ---- reading the connection ------------------------------------------------------

// Every certificate counts as x509, those that are CAs count as x509_ca too.
StoreStats store_stats(SSL* ssl) {
    StoreStats stats;
    X509_STORE* store = SSL_CTX_get_cert_store(SSL_get_SSL_CTX(ssl));
#if OPENSSL_VERSION_NUMBER >= 0x30300000L
    // A copy, taken under the store's lock (4.0 deprecates the shared view).
    const X509ObjectStackPtr copy(X509_STORE_get1_objects(store));
    STACK_OF(X509_OBJECT)* objects = copy.get();
#else
    STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(store);
#endif
    for (int i = 0; i < sk_X509_OBJECT_num(objects); ++i) {
        X509_OBJECT* obj = sk_X509_OBJECT_value(objects, i);
        if (X509_OBJECT_get_type(obj) == X509_LU_X509) {
            ++stats.x509;
            if (X509_check_ca(X509_OBJECT_get0_X509(obj)) != 0) ++stats.x509_ca;
        } else if (X509_OBJECT_get_type(obj) == X509_LU_CRL) {
            ++stats.crl;
        }
    }
    return stats;
}

std::optional<long> ocsp_bytes(SSL* ssl) {
    const unsigned char* resp = nullptr;
    long len = SSL_get_tlsext_status_ocsp_resp(ssl, &resp);
    if (len <= 0 || resp == nullptr) return std::nullopt;
    return len;
}

std::optional<std::string> text_or_none(const char* text) {
    if (text == nullptr) return std::nullopt;
    return text;
}

bool names_match(X509* cert, const ReportContext& ctx) {
    if (ctx.verified) return true;  // the handshake itself checked the name
    const std::string& host = ctx.expected_host;
    return is_ip_literal(host) ? X509_check_ip_asc(cert, host.c_str(), 0) == 1
                               : X509_check_host(cert, host.c_str(), host.size(),
                                                 X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, nullptr) == 1;
}

std::vector<ChainCertificate> peer_chain(SSL* ssl, X509* leaf, Role role) {
    std::vector<X509*> certs;
    STACK_OF(X509)* sent = SSL_get_peer_cert_chain(ssl);
    // A client's view of the chain includes the leaf; a server's does not.
    if (role == Role::server && leaf != nullptr) certs.push_back(leaf);
    for (int i = 0; sent != nullptr && i < sk_X509_num(sent); ++i) certs.push_back(sk_X509_value(sent, i));
    std::vector<ChainCertificate> chain;
    for (X509* c : certs) {
        chain.push_back({rfc2253_name(X509_get_subject_name(c)), rfc2253_name(X509_get_issuer_name(c)), key_name(X509_get0_pubkey(c)),
                         utc_time_text(X509_get0_notAfter(c))});
    }
    return chain;
}

void read_certificate(ConnectionReport& r, SSL* ssl, const ReportContext& ctx) {
    X509Ptr cert(peer_certificate(ssl));
    r.peer_certificate = cert != nullptr;
    if (cert) {
        r.peer_names = certificate_names(cert.get()).all();
        if (ctx.role == Role::client) r.name_match = names_match(cert.get(), ctx);
    }
    r.chain = peer_chain(ssl, cert.get(), ctx.role);
}

void read_cipher(ConnectionReport& r, SSL* ssl) {
    const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
    SSL_CIPHER_get_bits(cipher, &r.cipher_bits);
    r.version = SSL_version(ssl);
    r.protocol = SSL_get_version(ssl);
    r.cipher = SSL_CIPHER_get_name(cipher);
    r.cipher_version = SSL_CIPHER_get_version(cipher);
    const COMP_METHOD* comp = SSL_get_current_compression(ssl);
    r.compression = text_or_none(comp != nullptr ? SSL_COMP_get_name(comp) : nullptr);
}

}  // namespace

std::optional<std::string> negotiated_group(SSL* ssl) {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    int id = SSL_get_negotiated_group(ssl);
    const char* name = id != 0 ? SSL_group_to_name(ssl, id) : nullptr;
    if (name == nullptr) return std::nullopt;
    return name;
#else
    // 1.1.1 cannot name the negotiated group; the peer's ephemeral key shows it.
    EVP_PKEY* key = nullptr;
    if (SSL_get_peer_tmp_key(ssl, &key) != 1 || key == nullptr) return std::nullopt;
    EvpPkeyPtr owned(key);
    int nid = EVP_PKEY_base_id(key);
    if (nid == EVP_PKEY_EC) {
        nid = EC_GROUP_get_curve_name(EC_KEY_get0_group(EVP_PKEY_get0_EC_KEY(key)));
    }
    return OBJ_nid2sn(nid);
#endif
}

std::optional<std::string> selected_alpn(SSL* ssl) {
    const unsigned char* data = nullptr;
    unsigned len = 0;
    SSL_get0_alpn_selected(ssl, &data, &len);
    if (len == 0) return std::nullopt;
    return std::string(reinterpret_cast<const char*>(data), len);
}


ConnectionReport connection_report(const Connection& conn, const ReportContext& ctx) {
    SSL* ssl = conn.ssl();
    ConnectionReport r;
    r.role = ctx.role;
    r.address = ctx.address;
    if (ctx.role == Role::server) r.client_address = ctx.client_address;
    r.expected_host = ctx.expected_host;
    read_certificate(r, ssl, ctx);
    // test_tls.py's server, which loads no CAs, prints no store counts.
    if (ctx.role == Role::client || ctx.loaded_cas) r.store = store_stats(ssl);
    read_cipher(r, ssl);
    r.group = negotiated_group(ssl);
    r.peer_signature = peer_signature_scheme(ssl);
    r.alpn = selected_alpn(ssl);
    r.sni = text_or_none(SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name));
    r.resumed = SSL_session_reused(ssl) == 1;
    r.extended_master_secret = r.version >= TLS1_3_VERSION || SSL_get_extms_support(ssl) == 1;
    r.asked_for_ocsp = ctx.role == Role::client;
    if (r.asked_for_ocsp) r.ocsp_staple_bytes = ocsp_bytes(ssl);
    r.handshake_ms = conn.handshake_ms();
    return r;
}

std::string peer_certificate_text(const Connection& conn) {
    X509Ptr cert(peer_certificate(conn.ssl()));
    if (!cert) return "(no peer certificate)\n";
    BioPtr bio(BIO_new(BIO_s_mem()));
    X509_print_ex(bio.get(), cert.get(), XN_FLAG_ONELINE, 0);
    return memory_bio_text(bio.get());
}

}  // namespace sslfeatures::tls
