#include "tls/context_facts.hpp"

#include <string_view>

#include <openssl/x509_vfy.h>

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

}  // namespace

ContextFacts read_context_facts(SSL_CTX* ctx) {
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
    facts.hello = probe_client_hello(ctx);
    return facts;
}

}  // namespace sslfeatures::tls
