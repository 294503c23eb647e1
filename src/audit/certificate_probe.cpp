#include "audit/certificate_probe.hpp"

#include <string_view>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "tls/context.hpp"
#include "tls/errors.hpp"
#include "tls/handshake_engine.hpp"
#include "tls/host_names.hpp"
#include "tls/keys.hpp"
#include "tls/pki.hpp"
#include "util/error.hpp"
#include "util/openssl_text.hpp"
#include "util/ossl_ptr.hpp"

namespace sslfeatures::audit {
namespace {

constexpr const char* kHost = "localhost";

struct Recipe {
    std::string_view id;
    std::string_view description;
    int rsa_bits;
    const EVP_MD* (*digest)();
};

constexpr Recipe kRecipes[] = {
    {"rsa-2048-sha256", "RSA-2048 leaf signed with SHA-256 (the control)", 2048, EVP_sha256},
    {"rsa-2048-sha1", "RSA-2048 leaf signed with SHA-1", 2048, EVP_sha1},
    {"rsa-1024-sha256", "RSA-1024 leaf signed with SHA-256", 1024, EVP_sha256},
};

SslCtxPtr client_context(std::string_view side, X509* ca) {
    SslCtxPtr ctx = side == "client" ? tls::make_secure_context({}) : SslCtxPtr(SSL_CTX_new(TLS_client_method()));
    if (!ctx) throw Error(kFailure, "cannot create a TLS context: " + openssl_error_text());
    if (X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx.get()), ca) != 1) {
        throw Error(kFailure, "cannot trust the probe CA: " + openssl_error_text());
    }
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    return ctx;
}

// A server that presents whatever it is given: level 0, so that it never
// refuses its own certificate and the verdict is the client's alone.
SslCtxPtr server_context(const tls::Issued& leaf) {
    SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
    if (!ctx) throw Error(kFailure, "cannot create a TLS context: " + openssl_error_text());
    SSL_CTX_set_security_level(ctx.get(), 0);
    if (SSL_CTX_use_certificate(ctx.get(), leaf.cert.get()) != 1 ||
        SSL_CTX_use_PrivateKey(ctx.get(), leaf.key.get()) != 1) {
        throw Error(kFailure, "the probe server refused its certificate: " + openssl_error_text());
    }
    return ctx;
}

// "accepted", or why not: the verify error when the chain was refused (it
// names the rule, "CA signature digest algorithm too weak"), else the
// library's first reason.
CertificateProbe::Verdict judge(std::string_view side, const tls::Issued& ca, const tls::Issued& leaf) {
    ERR_clear_error();
    SslCtxPtr client_ctx = client_context(side, ca.cert.get());
    SslCtxPtr server_ctx = server_context(leaf);
    tls::HandshakeEngine engine;
    if (!engine.start(client_ctx.get(), server_ctx.get()) || !engine.join_in_memory()) {
        throw Error(kFailure, "cannot set up an in-memory handshake: " + openssl_error_text());
    }
    SSL_set_tlsext_host_name(engine.client(), kHost);
    tls::set_expected_dns_name(engine.client(), kHost);
    CertificateProbe::Verdict verdict{std::string(side), false, {}};
    if (engine.drive() == tls::DriveResult::finished) {
        verdict.accepted = true;
        verdict.detail = "accepted";
        return verdict;
    }
    const long verify = SSL_get_verify_result(engine.client());
    verdict.detail = verify != X509_V_OK ? X509_verify_cert_error_string(verify)
                                         : tls::first_error_reason("the handshake failed");
    ERR_clear_error();
    return verdict;
}

}  // namespace

std::vector<CertificateProbe> probe_certificates() {
    const tls::Issued ca = tls::make_ca(tls::KeyType::rsa2048, "sslfeatures certificate probe CA");
    std::vector<CertificateProbe> probes;
    for (const Recipe& recipe : kRecipes) {
        const tls::Issued leaf =
            tls::issue_leaf_for_key(ca, tls::generate_rsa_key(recipe.rsa_bits), kHost, recipe.digest());
        CertificateProbe probe{std::string(recipe.id), std::string(recipe.description), {}};
        for (const char* side : kCertificateSides) probe.verdicts.push_back(judge(side, ca, leaf));
        probes.push_back(std::move(probe));
    }
    return probes;
}

}  // namespace sslfeatures::audit
