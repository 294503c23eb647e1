#include "tls/context.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <unistd.h>

#include <fmt/format.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "util/error.hpp"
#include "tls/errors.hpp"
#include "tls/host_names.hpp"
#include "tls/net.hpp"
#include "tls/versions.hpp"

namespace sslfeatures::tls {
namespace {

[[noreturn]] void bad_input(const std::string& what) {
    throw Error(kUsage, fmt::format("{}: {}", what, openssl_error_text()));
}

// OpenSSL says "system lib" for a missing file; say what the system said.
void require_readable(const std::string& path, const char* what) {
    if (::access(path.c_str(), R_OK) != 0) {
        throw Error(kUsage, fmt::format("cannot read {} '{}': {}", what, path, std::strerror(errno)));
    }
}

void load_identity(SSL_CTX* ctx, const ContextOptions& o) {
    if (o.cert_file.empty()) return;
    require_readable(o.cert_file, "certificate file");
    if (!o.key_file.empty()) require_readable(o.key_file, "key file");
    if (SSL_CTX_use_certificate_chain_file(ctx, o.cert_file.c_str()) != 1) {
        bad_input(fmt::format("cannot load certificate '{}'", o.cert_file));
    }
    const std::string& key = o.key_file.empty() ? o.cert_file : o.key_file;
    if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
        bad_input(fmt::format("cannot load private key '{}' (a PEM file holding the certificate "
                              "and its key, or pass the key separately)", key));
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        bad_input(fmt::format("the private key in '{}' does not match the certificate", key));
    }
}

void load_trust(SSL_CTX* ctx, const ContextOptions& o) {
    if (!o.ca_file.empty()) {
        require_readable(o.ca_file, "CA file");
        if (SSL_CTX_load_verify_locations(ctx, o.ca_file.c_str(), nullptr) != 1) {
            bad_input(fmt::format("cannot load CA certificates from '{}'", o.ca_file));
        }
        if (o.role == Role::server) {
            // Tell clients which CAs we accept, so they pick a matching certificate.
            STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(o.ca_file.c_str());
            if (names != nullptr) SSL_CTX_set_client_CA_list(ctx, names);  // takes ownership
            ERR_clear_error();  // a bundle without names only means no list is sent
        }
    } else if (o.role == Role::client && SSL_CTX_set_default_verify_paths(ctx) != 1) {
        throw Error(kFailure, "cannot load the system's trusted CAs: " + openssl_error_text());
    }
}

void set_verification(SSL_CTX* ctx, const ContextOptions& o) {
    if (o.insecure) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    } else if (o.role == Role::client) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    } else if (!o.ca_file.empty()) {
        // A server asks for client certificates only when it was given CAs.
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    }
    // Host names must match whole labels: no "w*.example.com" partial wildcards.
    X509_VERIFY_PARAM_set_hostflags(SSL_CTX_get0_param(ctx), X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
}

void set_algorithms(SSL_CTX* ctx, const ContextOptions& o) {
    const std::string list = o.cipher_list.empty() ? std::string(kSecureCipherList) : o.cipher_list;
    if (SSL_CTX_set_cipher_list(ctx, list.c_str()) != 1 && o.protocol != TLS1_3_VERSION) {
        bad_input(fmt::format("no usable TLS 1.2 cipher in '{}' (see 'openssl ciphers')", list));
    }
    ERR_clear_error();
    if (!o.ciphersuites.empty() && SSL_CTX_set_ciphersuites(ctx, o.ciphersuites.c_str()) != 1) {
        bad_input(fmt::format("no usable TLS 1.3 suite in '{}'", o.ciphersuites));
    }
    if (!o.groups.empty() && SSL_CTX_set1_groups_list(ctx, o.groups.c_str()) != 1) {
        bad_input(fmt::format("unknown or unavailable group in '{}'", o.groups));
    }
    if (!o.alpn.empty() && o.role == Role::client) {
        std::string wire;
        for (const std::string& p : o.alpn) {
            if (p.empty() || p.size() > 255) throw Error(kUsage, "an ALPN protocol name must be 1 to 255 bytes");
            wire += static_cast<char>(p.size());
            wire += p;
        }
        // Unlike most of OpenSSL, this one returns 0 on success.
        if (SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const unsigned char*>(wire.data()),
                                    static_cast<unsigned>(wire.size())) != 0) {
            throw Error(kFailure, "cannot set the ALPN protocols: " + openssl_error_text());
        }
    }
}

// Versions: TLS 1.2 or newer, or exactly the one asked for. The system's
// configuration (openssl.cnf's MinProtocol, MaxProtocol) has already applied
// to the new context: without -p we only ever raise its minimum, never lower
// it, and leave its maximum alone.
void set_versions(SSL_CTX* ctx, const ContextOptions& o) {
    const int configured_min = static_cast<int>(SSL_CTX_get_min_proto_version(ctx));
    const int min = o.protocol.value_or(std::max(TLS1_2_VERSION, configured_min));
    const int max = o.protocol.value_or(static_cast<int>(SSL_CTX_get_max_proto_version(ctx)));
    if (SSL_CTX_set_min_proto_version(ctx, min) != 1 || SSL_CTX_set_max_proto_version(ctx, max) != 1) {
        throw Error(kFailure, "cannot set the protocol versions: " + openssl_error_text());
    }
}

// Level 2 on every release (1.1.1's contexts start at 1): no RSA or DH key
// under 2048 bits, no SHA-1 signatures. A system configuration that asks for
// more keeps it; `--cipher '...:@SECLEVEL=N'` still sets it, in so many words.
void set_security_level(SSL_CTX* ctx) {
    SSL_CTX_set_security_level(ctx, std::max(kSecureSecurityLevel, SSL_CTX_get_security_level(ctx)));
}

// Our own settings can leave nothing to offer: -p TLSv1 with the default,
// AEAD-only list, or suites the security level forbids. Say so now, before a
// peer is blamed for a handshake that never left this machine.
void require_something_to_offer(SSL_CTX* ctx, const ContextOptions& o) {
    SslPtr ssl(SSL_new(ctx));
    if (!ssl) throw Error(kFailure, "cannot create a TLS connection: " + openssl_error_text());
    // NULL when nothing is left (and only then): the versions allowed, and
    // within them the ciphers allowed, all at this security level.
    const CipherStackPtr usable(SSL_get1_supported_ciphers(ssl.get()));
    const bool any = usable && sk_SSL_CIPHER_num(usable.get()) > 0;
    ERR_clear_error();
    if (any) return;
    const std::string versions = o.protocol ? "-p " + protocol_name(*o.protocol) : "TLS 1.2 and newer";
    throw Error(kUsage, fmt::format("no cipher in '{}' can be used with {} at security level {} (the default "
                                    "list holds TLS 1.2's AEAD suites only; for TLS 1.0 and 1.1 name CBC "
                                    "suites, e.g. --cipher 'ECDHE+AES+SHA1', and add ':@SECLEVEL=0' where "
                                    "the level forbids them)",
                                    o.cipher_list.empty() ? kSecureCipherList : o.cipher_list, versions,
                                    SSL_CTX_get_security_level(ctx)));
}

// The server picks the first of its own ALPN protocols that the client offers.
int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned inlen, void* arg) {
    const auto* ours = static_cast<const std::vector<std::string>*>(arg);
    for (const std::string& p : *ours) {
        for (unsigned i = 0; i < inlen; i += 1u + in[i]) {
            if (in[i] == p.size() && p.compare(0, p.size(), reinterpret_cast<const char*>(in + i + 1), in[i]) == 0) {
                *out = in + i + 1;
                *outlen = in[i];
                return SSL_TLSEXT_ERR_OK;
            }
        }
    }
    return SSL_TLSEXT_ERR_NOACK;
}

// The server's ALPN list lives as long as its SSL_CTX: kept in the context's
// ex_data and freed with it.
int alpn_index() {
    static const int index = SSL_CTX_get_ex_new_index(
        0, nullptr, nullptr, nullptr,
        [](void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
            delete static_cast<std::vector<std::string>*>(ptr);
        });
    return index;
}

void set_server_alpn(SSL_CTX* ctx, const std::vector<std::string>& protocols) {
    auto owned = std::make_unique<std::vector<std::string>>(protocols);
    if (alpn_index() < 0 || SSL_CTX_set_ex_data(ctx, alpn_index(), owned.get()) != 1) {
        throw Error(kFailure, "cannot keep the ALPN protocols: " + openssl_error_text());
    }
    SSL_CTX_set_alpn_select_cb(ctx, select_alpn, owned.release());  // freed with the context
}

}  // namespace

void set_cipher_option(ContextOptions& o, const std::string& cipher) {
    if (cipher.rfind("TLS_", 0) == 0) o.ciphersuites = cipher;
    else o.cipher_list = cipher;
}

SslCtxPtr make_secure_context(const ContextOptions& o) {
    SslCtxPtr ctx(SSL_CTX_new(o.role == Role::client ? TLS_client_method() : TLS_server_method()));
    if (!ctx) throw Error(kFailure, "cannot create a TLS context: " + openssl_error_text());

    set_versions(ctx.get(), o);
    set_security_level(ctx.get());
    // No compression (CRIME), no renegotiation.
    SSL_CTX_set_options(ctx.get(), SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    if (o.role == Role::server) {
        SSL_CTX_set_options(ctx.get(), SSL_OP_CIPHER_SERVER_PREFERENCE);
        if (SSL_CTX_set_dh_auto(ctx.get(), 1) != 1) {
            throw Error(kFailure, "cannot enable the built-in DH groups: " + openssl_error_text());
        }
        if (!o.alpn.empty()) set_server_alpn(ctx.get(), o.alpn);
    }
    set_algorithms(ctx.get(), o);
    require_something_to_offer(ctx.get(), o);
    load_identity(ctx.get(), o);
    load_trust(ctx.get(), o);
    set_verification(ctx.get(), o);
    return ctx;
}

void expect_peer_name(SSL* ssl, const std::string& host) {
    if (is_ip_literal(host)) {
        // SNI carries names only; the certificate must list the address.
        if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) != 1) {
            throw Error(kFailure, fmt::format("cannot expect the address {}: {}", host,
                                                        openssl_error_text()));
        }
        return;
    }
    if (SSL_set_tlsext_host_name(ssl, host.c_str()) != 1 || !set_expected_dns_name(ssl, host.c_str())) {
        throw Error(kUsage, fmt::format("cannot use '{}' as the server's name: {}", host,
                                                  openssl_error_text()));
    }
}

}  // namespace sslfeatures::tls
