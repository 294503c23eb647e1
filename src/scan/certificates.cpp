#include "scan/certificates.hpp"

#include <cerrno>
#include <cstring>

#include <unistd.h>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "tls/host_names.hpp"
#include "tls/keys.hpp"
#include "tls/peer_names.hpp"
#include "tls/x509_text.hpp"
#include "util/error.hpp"
#include "util/openssl_text.hpp"

namespace sslfeatures::scan {
namespace {

// As our secure client would judge it: the trust store, security level 2.
Verdict verify(const std::vector<X509Ptr>& chain, X509_STORE* store) {
    X509StackPtr untrusted(sk_X509_new_null());
    for (std::size_t i = 1; i < chain.size(); ++i) sk_X509_push(untrusted.get(), chain[i].get());
    X509StoreCtxPtr ctx(X509_STORE_CTX_new());
    X509_STORE_CTX_init(ctx.get(), store, chain.front().get(), untrusted.get());
    X509_VERIFY_PARAM_set_auth_level(X509_STORE_CTX_get0_param(ctx.get()), 2);
    X509_VERIFY_PARAM_set_purpose(X509_STORE_CTX_get0_param(ctx.get()), X509_PURPOSE_SSL_SERVER);
    if (X509_verify_cert(ctx.get()) == 1) return {Answer::yes, ""};
    return {Answer::no, X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()))};
}

Verdict name_match(X509* leaf, const std::string& host) {
    const bool ok = tls::is_ip_literal(host) ? X509_check_ip_asc(leaf, host.c_str(), 0) == 1
                                             : X509_check_host(leaf, host.c_str(), host.size(), 0, nullptr) == 1;
    return ok ? Verdict{Answer::yes, host} : Verdict{Answer::no, fmt::format("not valid for {}", host)};
}

}  // namespace

X509StorePtr trust_store(const std::string& ca_file) {
    if (!ca_file.empty() && ::access(ca_file.c_str(), R_OK) != 0) {
        throw Error(kUsage, fmt::format("cannot read CA file '{}': {} (check the path)", ca_file, std::strerror(errno)));
    }
    X509StorePtr store(X509_STORE_new());
    const bool ok = ca_file.empty() ? X509_STORE_set_default_paths(store.get()) == 1
                                    : X509_STORE_load_locations(store.get(), ca_file.c_str(), nullptr) == 1;
    if (!ok) throw Error(kUsage, fmt::format("cannot load CA file '{}': {} (give PEM certificates)", ca_file, openssl_error_text()));
    return store;
}

std::string sha256_fingerprint(X509* cert) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    X509_digest(cert, EVP_sha256(), md, &len);
    std::string hex;
    for (unsigned i = 0; i < len; ++i) hex += fmt::format("{:02x}", md[i]);
    return hex;
}

void describe_certificate(CertificateResult& c, const std::vector<X509Ptr>& chain, X509_STORE* store,
                          const std::string& host) {
    X509* leaf = chain.front().get();
    c.key = tls::key_name(X509_get0_pubkey(leaf));
    c.subject = tls::rfc2253_name(X509_get_subject_name(leaf));
    c.issuer = tls::rfc2253_name(X509_get_issuer_name(leaf));
    const tls::CertificateNames names = tls::certificate_names(leaf);
    c.names = names.dns;
    c.names.insert(c.names.end(), names.ips.begin(), names.ips.end());
    c.not_before = tls::utc_time_text(X509_get0_notBefore(leaf));
    c.not_after = tls::utc_time_text(X509_get0_notAfter(leaf));
    int days = 0, seconds = 0;
    if (ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(leaf), X509_get0_notAfter(leaf)) == 1) c.lifetime_days = days;
    c.signature_algorithm = OBJ_nid2ln(X509_get_signature_nid(leaf));
    c.chain_length = static_cast<int>(chain.size());
    c.trusted = verify(chain, store);
    c.name_match = name_match(leaf, host);
}

}  // namespace sslfeatures::scan
