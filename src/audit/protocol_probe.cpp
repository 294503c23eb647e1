#include "audit/protocol_probe.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "audit/ciphers.hpp"
#include "util/error.hpp"
#include "tls/versions.hpp"
#include "tls/errors.hpp"
#include "tls/handshake_engine.hpp"
#include "tls/host_names.hpp"
#include "util/ossl_ptr.hpp"
#include "tls/pki.hpp"

namespace sslfeatures::audit {
namespace {

constexpr const char* kHost = "localhost";
constexpr tls::KeyType kProbeKeys[] = {tls::KeyType::rsa2048, tls::KeyType::ecdsa_p256};

SslCtxPtr pinned_context(const SSL_METHOD* method, int version) {
    SslCtxPtr ctx(SSL_CTX_new(method));
    if (!ctx) throw Error(kFailure, "cannot create a TLS context: " + openssl_error_text());
    if (SSL_CTX_set_min_proto_version(ctx.get(), version) != 1 ||
        SSL_CTX_set_max_proto_version(ctx.get(), version) != 1) {
        return nullptr;  // the build left this version out
    }
    return ctx;
}

// Runs both sides until both are done or one fails for good.
ProtocolResult::Attempt shake_hands(tls::HandshakeEngine& engine) {
    switch (engine.drive()) {
        case tls::DriveResult::finished:
            return {{}, true, SSL_CIPHER_get_name(SSL_get_current_cipher(engine.client()))};
        case tls::DriveResult::failed: return {{}, false, tls::first_error_reason("the handshake failed")};
        case tls::DriveResult::unfinished: break;
    }
    return {{}, false, "the handshake did not finish"};
}

ProtocolResult::Attempt attempt(int version, const tls::Issued& ca, const tls::Issued& leaf) {
    SslCtxPtr server_ctx = pinned_context(TLS_server_method(), version);
    SslCtxPtr client_ctx = pinned_context(TLS_client_method(), version);
    if (!server_ctx || !client_ctx) return {{}, false, tls::first_error_reason("not built into this library")};
    if (SSL_CTX_use_certificate(server_ctx.get(), leaf.cert.get()) != 1 ||
        SSL_CTX_use_PrivateKey(server_ctx.get(), leaf.key.get()) != 1) {
        return {{}, false, tls::first_error_reason("the certificate was refused")};
    }
    if (X509_STORE_add_cert(SSL_CTX_get_cert_store(client_ctx.get()), ca.cert.get()) != 1) {
        throw Error(kFailure, "cannot trust the probe CA: " + openssl_error_text());
    }
    SSL_CTX_set_verify(client_ctx.get(), SSL_VERIFY_PEER, nullptr);
    tls::HandshakeEngine engine;
    if (!engine.start(client_ctx.get(), server_ctx.get()) || !engine.join_in_memory()) {
        throw Error(kFailure, "cannot set up an in-memory handshake: " + openssl_error_text());
    }
    SSL_set_tlsext_host_name(engine.client(), kHost);
    tls::set_expected_dns_name(engine.client(), kHost);
    return shake_hands(engine);
}

}  // namespace

bool ProtocolResult::works() const {
    for (const auto& a : attempts) {
        if (a.ok) return true;
    }
    return false;
}

std::vector<ProtocolResult> probe_protocols() {
    ERR_clear_error();
    const tls::Issued ca = tls::make_ca(tls::KeyType::ecdsa_p256, "sslfeatures protocol probe CA");
    std::vector<std::pair<tls::KeyType, tls::Issued>> leaves;
    for (tls::KeyType key : kProbeKeys) {
        leaves.emplace_back(key, tls::issue_leaf(ca, key, kHost, {kHost}));
    }
    std::vector<ProtocolResult> results;
    for (int version : tls::stream_protocol_versions()) {
        ProtocolResult result{tls::protocol_name(version), version, {}};
        for (const auto& [key, leaf] : leaves) {
            ProtocolResult::Attempt a = attempt(version, ca, leaf);
            a.key = std::string(tls::key_type_name(key));
            result.attempts.push_back(std::move(a));
        }
        results.push_back(std::move(result));
    }
    return results;
}

}  // namespace sslfeatures::audit
