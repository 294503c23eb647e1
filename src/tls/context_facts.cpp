#include "tls/context_facts.hpp"

#include <memory>
#include <string_view>

#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "util/error.hpp"
#include "tls/errors.hpp"
#include "tls/pki.hpp"

namespace sslfeatures::tls {
namespace {

std::string method_name(const SSL_METHOD* method) {
    if (method == TLS_method()) return "TLS_method";
    if (method == TLS_client_method()) return "TLS_client_method";
    if (method == TLS_server_method()) return "TLS_server_method";
    return "other";
}

// SSL_CTX_get_ciphers holds both kinds, TLS 1.3 suites first. The version a
// cipher was defined in tells them apart; SSL_CIPHER_get_min_tls is internal,
// but SSL_CIPHER_get_version prints that same field in 1.1.1 and 3.x alike.
void read_ciphers(SSL_CTX* ctx, ContextFacts& facts) {
    STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx);
    for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
        const SSL_CIPHER* c = sk_SSL_CIPHER_value(ciphers, i);
        const bool tls13 = std::string_view(SSL_CIPHER_get_version(c)) == "TLSv1.3";
        auto& list = tls13 ? facts.tls13_suites : facts.tls12_ciphers;
        list.emplace_back(SSL_CIPHER_get_name(c));
    }
}

void read_verification(SSL_CTX* ctx, ContextFacts& facts) {
    facts.verify_mode = SSL_CTX_get_verify_mode(ctx);
    X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx);  // 1.1.1's getters take no const
    facts.verify_flags = X509_VERIFY_PARAM_get_flags(param);
    facts.host_flags = X509_VERIFY_PARAM_get_hostflags(param);
}

void read_sessions(SSL_CTX* ctx, ContextFacts& facts) {
    facts.session_cache_mode = SSL_CTX_get_session_cache_mode(ctx);
    facts.session_cache_size = SSL_CTX_sess_get_cache_size(ctx);
    facts.session_timeout = static_cast<long>(SSL_CTX_get_timeout(ctx));
    facts.tls13_tickets = SSL_CTX_get_num_tickets(ctx);
}

using StorePtr = std::unique_ptr<X509_STORE, FreeWith<&X509_STORE_free>>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, FreeWith<&X509_STORE_CTX_free>>;

// Whether verifying under `ssl`'s parameters checks a host name. 1.1.1 has no
// getter for the names an SSL expects, so this asks verification itself: a
// certificate for no name at all (no subjectAltName, a CN with spaces that
// no host name matches), trusted as it is, fails only with a name mismatch.
bool checks_a_name(SSL* ssl) {
    const Issued nameless = make_ca(KeyType::ecdsa_p256, "for no host name");
    X509* cert = nameless.cert.get();
    StorePtr store(X509_STORE_new());
    StoreCtxPtr verify(X509_STORE_CTX_new());
    if (!store || !verify || X509_STORE_add_cert(store.get(), cert) != 1 ||
        X509_STORE_CTX_init(verify.get(), store.get(), cert, nullptr) != 1) {
        throw Error(kFailure, "cannot verify a certificate: " + openssl_error_text());
    }
    if (X509_VERIFY_PARAM_set1(X509_STORE_CTX_get0_param(verify.get()), SSL_get0_param(ssl)) != 1) {
        throw Error(kFailure, "cannot copy the verification settings: " + openssl_error_text());
    }
    X509_verify_cert(verify.get());
    ERR_clear_error();
    return X509_STORE_CTX_get_error(verify.get()) == X509_V_ERR_HOSTNAME_MISMATCH;
}

HostCheck read_host_check(SSL_CTX* ctx, const ConnectionSetup& setup) {
    SslPtr ssl(SSL_new(ctx));
    if (!ssl) throw Error(kFailure, "cannot create a connection: " + openssl_error_text());
    if (setup.apply) setup.apply(ssl.get());
    HostCheck check;
    check.name_checked = checks_a_name(ssl.get());
    check.verify_peer = (SSL_get_verify_mode(ssl.get()) & SSL_VERIFY_PEER) != 0;
    if (check.name_checked) check.how = setup.description;
    const unsigned flags = X509_VERIFY_PARAM_get_hostflags(SSL_get0_param(ssl.get()));
    check.subject_cn_fallback = (flags & X509_CHECK_FLAG_NEVER_CHECK_SUBJECT) == 0;
    return check;
}

}  // namespace

ContextFacts read_context_facts(SSL_CTX* ctx, const ConnectionSetup& setup) {
    ContextFacts facts;
    facts.method = method_name(SSL_CTX_get_ssl_method(ctx));
    facts.min_protocol = static_cast<int>(SSL_CTX_get_min_proto_version(ctx));
    facts.max_protocol = static_cast<int>(SSL_CTX_get_max_proto_version(ctx));
    facts.options = SSL_CTX_get_options(ctx);
    facts.no_ticket = (facts.options & SSL_OP_NO_TICKET) != 0;
    facts.no_compression = (facts.options & SSL_OP_NO_COMPRESSION) != 0;
    facts.no_renegotiation = (facts.options & SSL_OP_NO_RENEGOTIATION) != 0;
    facts.security_level = SSL_CTX_get_security_level(ctx);
    read_verification(ctx, facts);
    read_ciphers(ctx, facts);
    read_sessions(ctx, facts);
    facts.host_check = read_host_check(ctx, setup);
    facts.hello = probe_client_hello(ctx);
    return facts;
}

}  // namespace sslfeatures::tls
