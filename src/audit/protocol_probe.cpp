#include "audit/protocol_probe.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "audit/ciphers.hpp"
#include "cli/exit_codes.hpp"
#include "tls/versions.hpp"
#include "tls/errors.hpp"
#include "tls/ossl_ptr.hpp"
#include "tls/pki.hpp"

namespace sslfeatures::audit {
namespace {

constexpr const char* kHost = "localhost";
constexpr tls::KeyType kProbeKeys[] = {tls::KeyType::rsa2048, tls::KeyType::ecdsa_p256};

tls::SslCtxPtr pinned_context(const SSL_METHOD* method, int version) {
    tls::SslCtxPtr ctx(SSL_CTX_new(method));
    if (!ctx) throw cli::Error(cli::kFailure, "cannot create a TLS context: " + tls::openssl_error_text());
    if (SSL_CTX_set_min_proto_version(ctx.get(), version) != 1 ||
        SSL_CTX_set_max_proto_version(ctx.get(), version) != 1) {
        return nullptr;  // the build left this version out
    }
    return ctx;
}

struct Pair {
    tls::SslPtr client;
    tls::SslPtr server;
};

// Connects two SSLs through a BIO pair: what one writes, the other reads.
bool connect_in_memory(Pair& pair) {
    BIO* client_end = nullptr;
    BIO* server_end = nullptr;
    if (BIO_new_bio_pair(&client_end, 0, &server_end, 0) != 1) return false;
    SSL_set_bio(pair.client.get(), client_end, client_end);
    SSL_set_bio(pair.server.get(), server_end, server_end);
    SSL_set_connect_state(pair.client.get());
    SSL_set_accept_state(pair.server.get());
    return true;
}

// Runs both sides until both are done or one fails for good.
ProtocolResult::Attempt shake_hands(Pair& pair) {
    bool client_done = false;
    bool server_done = false;
    for (int round = 0; round < 64 && !(client_done && server_done); ++round) {
        for (auto [ssl, done] : {std::pair{pair.client.get(), &client_done},
                                 std::pair{pair.server.get(), &server_done}}) {
            if (*done) continue;
            const int rc = SSL_do_handshake(ssl);
            if (rc == 1) {
                *done = true;
                continue;
            }
            const int error = SSL_get_error(ssl, rc);
            if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
                return {{}, false, tls::first_error_reason("the handshake failed")};
            }
        }
    }
    if (!(client_done && server_done)) return {{}, false, "the handshake did not finish"};
    return {{}, true, SSL_CIPHER_get_name(SSL_get_current_cipher(pair.client.get()))};
}

ProtocolResult::Attempt attempt(int version, const tls::Issued& ca, const tls::Issued& leaf) {
    tls::SslCtxPtr server_ctx = pinned_context(TLS_server_method(), version);
    tls::SslCtxPtr client_ctx = pinned_context(TLS_client_method(), version);
    if (!server_ctx || !client_ctx) return {{}, false, tls::first_error_reason("not built into this library")};
    if (SSL_CTX_use_certificate(server_ctx.get(), leaf.cert.get()) != 1 ||
        SSL_CTX_use_PrivateKey(server_ctx.get(), leaf.key.get()) != 1) {
        return {{}, false, tls::first_error_reason("the certificate was refused")};
    }
    if (X509_STORE_add_cert(SSL_CTX_get_cert_store(client_ctx.get()), ca.cert.get()) != 1) {
        throw cli::Error(cli::kFailure, "cannot trust the probe CA: " + tls::openssl_error_text());
    }
    SSL_CTX_set_verify(client_ctx.get(), SSL_VERIFY_PEER, nullptr);
    Pair pair{tls::SslPtr(SSL_new(client_ctx.get())), tls::SslPtr(SSL_new(server_ctx.get()))};
    if (!pair.client || !pair.server || !connect_in_memory(pair)) {
        throw cli::Error(cli::kFailure, "cannot set up an in-memory handshake: " + tls::openssl_error_text());
    }
    SSL_set_tlsext_host_name(pair.client.get(), kHost);
    SSL_set1_host(pair.client.get(), kHost);
    return shake_hands(pair);
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
    for (int version : stream_protocol_versions()) {
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
