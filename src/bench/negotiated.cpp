#include "bench/negotiated.hpp"

#include <strings.h>
#include <vector>

#include <fmt/format.h>
#include <openssl/objects.h>

#include "util/ossl_ptr.hpp"
#include "tls/versions.hpp"

namespace sslfeatures::bench {
namespace {

std::string key_name(EVP_PKEY* key) {
    if (key == nullptr) return "";
    const int bits = EVP_PKEY_bits(key);
    switch (EVP_PKEY_base_id(key)) {
        case EVP_PKEY_RSA: return fmt::format("rsa-{}", bits);
        case EVP_PKEY_EC: return fmt::format("ecdsa-p{}", bits);
        case EVP_PKEY_ED25519: return "ed25519";
        default: return fmt::format("key type {}", EVP_PKEY_base_id(key));
    }
}

// The group from the server's ephemeral key, as the client saw it.
std::string group_from_peer_key(SSL* client) {
    EVP_PKEY* raw = nullptr;
    if (SSL_get_peer_tmp_key(client, &raw) != 1 || raw == nullptr) return "";
    EvpPkeyPtr key(raw);
    switch (EVP_PKEY_base_id(key.get())) {
        case EVP_PKEY_X25519: return "x25519";
        case EVP_PKEY_DH: return fmt::format("ffdhe{}", EVP_PKEY_bits(key.get()));
        case EVP_PKEY_EC: return fmt::format("p-{}", EVP_PKEY_bits(key.get()));
        default: return fmt::format("key type {}", EVP_PKEY_base_id(key.get()));
    }
}

std::string negotiated_group(SSL* client) {
    const SSL_CIPHER* cipher = SSL_get_current_cipher(client);
    if (cipher != nullptr && SSL_CIPHER_get_kx_nid(cipher) == NID_kx_rsa) return "rsa";
#if OPENSSL_VERSION_NUMBER >= 0x30200000L
    // Hybrid groups have no single ephemeral key type; ask for the name.
    if (const char* name = SSL_get0_group_name(client); name != nullptr) {
        for (const Group& g : all_groups()) {
            if (strcasecmp(name, std::string(g.tls_name).c_str()) == 0) return std::string(g.id);
        }
    }
#endif
    return group_from_peer_key(client);
}

// The server's certificate as the client received it.
std::string peer_key_name(SSL* client) {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    X509* cert = SSL_get0_peer_certificate(client);
    return cert != nullptr ? key_name(X509_get0_pubkey(cert)) : "";
#else
    X509Ptr cert(SSL_get_peer_certificate(client));
    return cert ? key_name(X509_get0_pubkey(cert.get())) : "";
#endif
}

}  // namespace

Negotiated read_negotiated(SSL* client) {
    Negotiated n;
    n.version = SSL_version(client);
    const SSL_CIPHER* cipher = SSL_get_current_cipher(client);
    n.cipher = cipher != nullptr ? SSL_CIPHER_get_name(cipher) : "";
    n.group = negotiated_group(client);
    n.key = peer_key_name(client);
    n.resumed = SSL_session_reused(client) == 1;
    return n;
}

std::string mismatch(const Case& c, const Negotiated& got) {
    std::vector<std::string> wrong;
    if (got.version != c.version) {
        wrong.push_back(fmt::format("version {} instead of {}", tls::protocol_name(got.version),
                                    tls::protocol_name(c.version)));
    }
    if (got.cipher != c.cipher) wrong.push_back(fmt::format("suite {} instead of {}", got.cipher, c.cipher));
    const bool checks_group = !(got.resumed && c.version != TLS1_3_VERSION);
    if (checks_group && got.group != c.group) {
        wrong.push_back(fmt::format("group '{}' instead of {}", got.group, c.group));
    }
    if (got.key != tls::key_type_name(c.key)) {
        wrong.push_back(fmt::format("key '{}' instead of {}", got.key, tls::key_type_name(c.key)));
    }
    if (got.resumed != c.resumed()) {
        wrong.push_back(c.resumed() ? "a full handshake instead of a resumed one"
                                    : "a resumed handshake instead of a full one");
    }
    if (wrong.empty()) return "";
    std::string text = c.name() + " negotiated ";
    for (std::size_t i = 0; i < wrong.size(); ++i) text += (i ? ", " : "") + wrong[i];
    return text;
}

}  // namespace sslfeatures::bench
