#include "bench/contexts.hpp"

#include <string>

#include <fmt/format.h>
#include <openssl/objects.h>

#include "bench/fixture.hpp"
#include "tls/versions.hpp"

namespace sslfeatures::bench {
namespace {

void set_ffdhe2048(SSL_CTX* ctx) {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    EvpPkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_name(nullptr, "DH", nullptr));
    EVP_PKEY* made = nullptr;
    const bool made_ok = pctx && EVP_PKEY_paramgen_init(pctx.get()) == 1 &&
                         EVP_PKEY_CTX_set_group_name(pctx.get(), "ffdhe2048") == 1 &&
                         EVP_PKEY_paramgen(pctx.get(), &made) == 1;
    EvpPkeyPtr params(made);
    if (!made_ok) setup_failed("make ffdhe2048 parameters");
    if (SSL_CTX_set0_tmp_dh_pkey(ctx, params.get()) != 1) setup_failed("set ffdhe2048 parameters");
    (void)params.release();  // the context owns them now
#else
    DhPtr dh(DH_new_by_nid(NID_ffdhe2048));
    if (!dh || SSL_CTX_set_tmp_dh(ctx, dh.get()) != 1) setup_failed("set ffdhe2048 parameters");
#endif
}

// Before TLS 1.3 a client must list the curve of an ECDSA certificate among
// its groups, or the server may not use it; the server's list alone (the
// case's group) then decides the key exchange.
// Before TLS 1.3, DHE takes its group from the server's parameters, not from
// group lists (OpenSSL 1.1.1 does not even name ffdhe groups there).
std::string group_list(const Case& c, bool server) {
    if (c.group == "ffdhe2048" && c.version != TLS1_3_VERSION) return "";
    const Group* group = find_group(c.group);
    std::string list = group != nullptr ? std::string(group->openssl) : "";
    if (server || c.version == TLS1_3_VERSION || list.empty()) return list;
    if (c.key == tls::KeyType::ecdsa_p256 && c.group != "p-256") list += ":P-256";
    if (c.key == tls::KeyType::ecdsa_p384 && c.group != "p-384") list += ":P-384";
    return list;
}

// What both sides share: exactly this version, suite and group.
void pin(SSL_CTX* ctx, const Case& c, bool server) {
    if (c.seclevel0) SSL_CTX_set_security_level(ctx, 0);
    if (!c.encrypt_then_mac) SSL_CTX_set_options(ctx, SSL_OP_NO_ENCRYPT_THEN_MAC);
    if (SSL_CTX_set_min_proto_version(ctx, c.version) != 1 ||
        SSL_CTX_set_max_proto_version(ctx, c.version) != 1) {
        setup_failed(fmt::format("pin {}", tls::protocol_id(c.version)));
    }
    const bool tls13 = c.version == TLS1_3_VERSION;
    if (tls13 ? SSL_CTX_set_ciphersuites(ctx, c.cipher.c_str()) != 1
              : SSL_CTX_set_cipher_list(ctx, c.cipher.c_str()) != 1) {
        setup_failed(fmt::format("select the suite {}", c.cipher));
    }
    const std::string groups = group_list(c, server);
    if (!groups.empty() && SSL_CTX_set1_groups_list(ctx, groups.c_str()) != 1) {
        setup_failed(fmt::format("select the group {}", c.group));
    }
}

// Resumption by session ID must not quietly use a ticket, and resumption by
// ticket must not quietly use the server's cache: each mode turns the other
// off. Full handshakes need no cache either; with one, every handshake adds a
// session until the cache fills (20480) and the rate sinks as it grows.
void set_resumption(SSL_CTX* ctx, Mode mode, bool server) {
    if (mode == Mode::session_id) SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    if (mode != Mode::session_id && server) SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    if (server) {
        static constexpr unsigned char kContext[] = "sslfeatures-bench";
        SSL_CTX_set_session_id_context(ctx, kContext, sizeof kContext - 1);
    }
}

}  // namespace

SslCtxPtr server_context(const Case& c) {
    SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
    if (!ctx) setup_failed("create a server context");
    pin(ctx.get(), c, true);
    set_resumption(ctx.get(), c.mode, true);
    const tls::Issued& leaf = bench_leaf(c.key);
    if (SSL_CTX_use_certificate(ctx.get(), leaf.cert.get()) != 1 ||
        SSL_CTX_use_PrivateKey(ctx.get(), leaf.key.get()) != 1) {
        setup_failed(fmt::format("use the {} certificate", tls::key_type_name(c.key)));
    }
    if (c.group == "ffdhe2048" && c.version != TLS1_3_VERSION) set_ffdhe2048(ctx.get());
    return ctx;
}

SslCtxPtr client_context(const Case& c) {
    SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
    if (!ctx) setup_failed("create a client context");
    pin(ctx.get(), c, false);
    set_resumption(ctx.get(), c.mode, false);
    if (X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx.get()), bench_ca().cert.get()) != 1) {
        setup_failed("trust the bench CA");
    }
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    return ctx;
}

}  // namespace sslfeatures::bench
