#include "tls/report.hpp"

#include <ctime>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/x509v3.h>

#include "render/dotted.hpp"
#include "tls/host_names.hpp"
#include "tls/peer_names.hpp"

namespace sslfeatures::tls {
namespace {

std::string yes_no(bool b) { return b ? "Yes" : "No"; }

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    return len > 0 ? std::string(data, static_cast<size_t>(len)) : std::string();
}

std::string name_text(const X509_NAME* name) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
    return bio_text(bio.get());
}

std::string time_text(const ASN1_TIME* t) {
    std::tm tm{};
    if (ASN1_TIME_to_tm(t, &tm) != 1) return "?";
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string key_text(X509* cert) {
    EVP_PKEY* key = X509_get0_pubkey(cert);
    if (key == nullptr) return "unknown key";
    const int bits = EVP_PKEY_bits(key);
    switch (EVP_PKEY_base_id(key)) {
        case EVP_PKEY_RSA: return fmt::format("RSA-{}", bits);
        case EVP_PKEY_RSA_PSS: return fmt::format("RSA-PSS-{}", bits);
        case EVP_PKEY_EC: return fmt::format("ECDSA-{}", bits);
        case EVP_PKEY_ED25519: return "Ed25519";
        case EVP_PKEY_ED448: return "Ed448";
        default: return fmt::format("{}-{}", OBJ_nid2sn(EVP_PKEY_base_id(key)), bits);
    }
}

// Python's SSLContext.cert_store_stats(): every certificate counts as x509,
// those that are CAs count as x509_ca too.
struct StoreStats {
    int crl = 0, x509 = 0, x509_ca = 0;
};

StoreStats store_stats(SSL* ssl) {
    StoreStats stats;
    X509_STORE* store = SSL_CTX_get_cert_store(SSL_get_SSL_CTX(ssl));
    STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(store);
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

std::string group_text(SSL* ssl) {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    int id = SSL_get_negotiated_group(ssl);
    const char* name = id != 0 ? SSL_group_to_name(ssl, id) : nullptr;
    return name != nullptr ? name : "none";
#else
    // 1.1.1 cannot name the negotiated group; the peer's ephemeral key shows it.
    EVP_PKEY* key = nullptr;
    if (SSL_get_peer_tmp_key(ssl, &key) != 1 || key == nullptr) return "none";
    EvpPkeyPtr owned(key);
    int nid = EVP_PKEY_base_id(key);
    if (nid == EVP_PKEY_EC) {
        nid = EC_GROUP_get_curve_name(EC_KEY_get0_group(EVP_PKEY_get0_EC_KEY(key)));
    }
    return OBJ_nid2sn(nid);
#endif
}

std::string signature_text(SSL* ssl) {
    int type = NID_undef, digest = NID_undef;
    if (SSL_get_peer_signature_type_nid(ssl, &type) != 1) return "none";
    std::string text = OBJ_nid2sn(type);
    if (SSL_get_peer_signature_nid(ssl, &digest) == 1 && digest != NID_undef) {
        text += fmt::format("+{}", OBJ_nid2sn(digest));
    }
    return text;
}

std::string alpn_text(SSL* ssl) {
    const unsigned char* data = nullptr;
    unsigned len = 0;
    SSL_get0_alpn_selected(ssl, &data, &len);
    return len > 0 ? std::string(reinterpret_cast<const char*>(data), len) : "none";
}

std::string ems_text(SSL* ssl) {
    if (SSL_version(ssl) >= TLS1_3_VERSION) return "Yes (always in TLS 1.3)";
    return yes_no(SSL_get_extms_support(ssl) == 1);
}

std::string ocsp_text(SSL* ssl) {
    const unsigned char* resp = nullptr;
    long len = SSL_get_tlsext_status_ocsp_resp(ssl, &resp);
    return len > 0 && resp != nullptr ? fmt::format("{} bytes", len) : "none";
}

std::string name_match_text(X509* cert, const ReportContext& ctx) {
    if (ctx.verified) return "Yes";  // the handshake itself checked the name
    const std::string& host = ctx.expected_host;
    const bool ok = is_ip_literal(host)
                        ? X509_check_ip_asc(cert, host.c_str(), 0) == 1
                        : X509_check_host(cert, host.c_str(), host.size(),
                                          X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, nullptr) == 1;
    return ok ? "Yes" : fmt::format("No: '{}' is not among them", host);
}

void add_chain(std::vector<ReportLine>& lines, SSL* ssl, X509* leaf, Role role) {
    std::vector<X509*> chain;
    STACK_OF(X509)* sent = SSL_get_peer_cert_chain(ssl);
    // A client's view of the chain includes the leaf; a server's does not.
    if (role == Role::server && leaf != nullptr) chain.push_back(leaf);
    for (int i = 0; sent != nullptr && i < sk_X509_num(sent); ++i) chain.push_back(sk_X509_value(sent, i));
    for (size_t i = 0; i < chain.size(); ++i) {
        X509* c = chain[i];
        lines.push_back({fmt::format("chain_{}", i), fmt::format("Peer chain certificate {}", i),
                         {fmt::format("subject {};", name_text(X509_get_subject_name(c))),
                          fmt::format("issuer {};", name_text(X509_get_issuer_name(c))),
                          fmt::format("{};", key_text(c)),
                          fmt::format("not after {}", time_text(X509_get0_notAfter(c)))}});
    }
}

}  // namespace

std::vector<ReportLine> connection_report(const Connection& conn, const ReportContext& ctx) {
    SSL* ssl = conn.ssl();
    std::vector<ReportLine> lines;
    if (ctx.role == Role::client) {
        lines.push_back({"address", "Address we want to talk to", {ctx.address.python_repr()}});
    } else {
        lines.push_back({"interface", "Interface where we are listening", {ctx.address.python_repr()}});
        lines.push_back({"client_address", "Client has connected from address", {ctx.client_address.python_repr()}});
    }
    X509Ptr cert(peer_certificate(ssl));
    lines.push_back({"peer_certificate", "Peer certificate", {cert ? "provided" : "none"}});
    if (cert) {
        lines.push_back({"peer_names", "Name(s) on peer certificate", certificate_names(cert.get()).all()});
        if (ctx.role == Role::client) {
            lines.push_back({"name_match", "Whether name(s) match the hostname", {name_match_text(cert.get(), ctx)}});
        }
    }
    // test_tls.py's server, which loads no CAs, prints no store counts.
    if (ctx.role == Role::client || ctx.loaded_cas) {
        const StoreStats stats = store_stats(ssl);
        lines.push_back({"crl", "Certificates loaded of type crl", {std::to_string(stats.crl)}});
        lines.push_back({"x509", "Certificates loaded of type x509", {std::to_string(stats.x509)}});
        lines.push_back({"x509_ca", "Certificates loaded of type x509_ca", {std::to_string(stats.x509_ca)}});
    }

    const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
    int secret_bits = 0;
    SSL_CIPHER_get_bits(cipher, &secret_bits);
    lines.push_back({"protocol", "Protocol version negotiated", {SSL_get_version(ssl)}});
    lines.push_back({"cipher", "Cipher chosen for this connection", {SSL_CIPHER_get_name(cipher)}});
    lines.push_back({"cipher_version", "Cipher defined in TLS version", {SSL_CIPHER_get_version(cipher)}});
    lines.push_back({"cipher_bits", "Cipher key has this many bits", {std::to_string(secret_bits)}});
    const COMP_METHOD* comp = SSL_get_current_compression(ssl);
    lines.push_back({"compression", "Compression algorithm in use", {comp ? SSL_COMP_get_name(comp) : "none"}});

    // Beyond test_tls.py.
    lines.push_back({"group", "Key-exchange group", {group_text(ssl)}});
    lines.push_back({"peer_signature", "Peer signature algorithm", {signature_text(ssl)}});
    lines.push_back({"alpn", "ALPN protocol", {alpn_text(ssl)}});
    const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    lines.push_back({"sni", "Server name indication (SNI)", {sni ? sni : "none"}});
    lines.push_back({"resumed", "Session resumed", {yes_no(SSL_session_reused(ssl) == 1)}});
    lines.push_back({"extended_master_secret", "Extended master secret", {ems_text(ssl)}});
    if (ctx.role == Role::client) lines.push_back({"ocsp_staple", "OCSP staple", {ocsp_text(ssl)}});
    add_chain(lines, ssl, cert.get(), ctx.role);
    lines.push_back({"handshake_ms", "Handshake time", {fmt::format("{:.2f} ms", conn.handshake_ms())}});
    return lines;
}

std::string report_text(const std::vector<ReportLine>& lines) {
    std::string out;
    for (const ReportLine& line : lines) out += render::dotted_line(line.title, line.values);
    return out;
}

nlohmann::ordered_json report_json(const std::vector<ReportLine>& lines) {
    nlohmann::ordered_json j;
    for (const ReportLine& line : lines) {
        if (line.key.rfind("chain_", 0) == 0) {
            j["chain"].push_back(fmt::format("{}", fmt::join(line.values, " ")));
        } else if (line.key == "peer_names") {
            j[line.key] = line.values;
        } else {
            j[line.key] = fmt::format("{}", fmt::join(line.values, " "));
        }
    }
    return j;
}

std::string peer_certificate_text(const Connection& conn) {
    X509Ptr cert(peer_certificate(conn.ssl()));
    if (!cert) return "(no peer certificate)\n";
    BioPtr bio(BIO_new(BIO_s_mem()));
    X509_print_ex(bio.get(), cert.get(), XN_FLAG_ONELINE, 0);
    return bio_text(bio.get());
}

}  // namespace sslfeatures::tls
