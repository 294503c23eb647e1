#include "audit/ciphers.hpp"

#include <array>
#include <sstream>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "util/error.hpp"
#include "tls/versions.hpp"
#include "tls/errors.hpp"
#include "util/ossl_ptr.hpp"

namespace sslfeatures::audit {
namespace {

SslPtr new_ssl(SSL_CTX* ctx) {
    SslPtr ssl(SSL_new(ctx));
    if (!ssl) throw Error(kFailure, "cannot create a TLS connection object: " + openssl_error_text());
    return ssl;
}

SslCtxPtr new_ctx() {
    SslCtxPtr ctx(SSL_CTX_new(TLS_method()));
    if (!ctx) throw Error(kFailure, "cannot create a TLS context: " + openssl_error_text());
    return ctx;
}

// "Kx=ECDH" -> "ECDH": the fields of SSL_CIPHER_description(), which is what
// `openssl ciphers -v` prints, so the words are the ones users know.
std::string field(const std::string& description, std::string_view key) {
    std::istringstream words(description);
    std::string word;
    while (words >> word) {
        if (word.size() > key.size() && word.compare(0, key.size(), key) == 0 && word[key.size()] == '=') {
            return word.substr(key.size() + 1);
        }
    }
    return {};
}

// The signalling values (TLS_EMPTY_RENEGOTIATION_INFO_SCSV, TLS_FALLBACK_SCSV)
// are found by code point too, but belong to no protocol version.
bool is_cipher(const SSL_CIPHER* c) {
    return std::string_view(SSL_CIPHER_get_version(c)) != "unknown";
}

Cipher describe(const SSL_CIPHER* c) {
    std::array<char, 256> buffer{};
    const std::string description = SSL_CIPHER_description(c, buffer.data(), buffer.size());
    Cipher out;
    out.id = SSL_CIPHER_get_protocol_id(c);
    out.name = SSL_CIPHER_get_name(c);
    const char* standard = SSL_CIPHER_standard_name(c);
    out.iana_name = standard != nullptr ? standard : "";
    out.protocol = SSL_CIPHER_get_version(c);
    out.kx = field(description, "Kx");
    out.auth = field(description, "Au");
    out.enc = field(description, "Enc");
    out.mac = field(description, "Mac");
    out.bits = SSL_CIPHER_get_bits(c, nullptr);
    out.aead = SSL_CIPHER_is_aead(c) == 1;
    return out;
}

std::vector<std::string> names_of(STACK_OF(SSL_CIPHER) * stack) {
    std::vector<std::string> names;
    for (int i = 0; i < sk_SSL_CIPHER_num(stack); ++i) {
        names.emplace_back(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(stack, i)));
    }
    return names;
}

// Whether a context can enable `c` at all: a rule naming only it, at level 0,
// leaves it in the context's list unless the build or the providers lack one
// of its algorithms (OpenSSL then drops it from every list silently).
// Each call replaces the context's lists, so one context serves every cipher.
bool usable(SSL_CTX* ctx, const SSL_CIPHER* c) {
    const std::string name = SSL_CIPHER_get_name(c);
    const bool tls13 = std::string_view(SSL_CIPHER_get_version(c)) == "TLSv1.3";
    SSL_CTX_set_security_level(ctx, 0);
    // The list of the other kind may still name the last cipher asked about:
    // only this cipher's id is looked for.
    const int set = tls13 ? SSL_CTX_set_ciphersuites(ctx, name.c_str())
                          : SSL_CTX_set_cipher_list(ctx, (name + ":@SECLEVEL=0").c_str());
    if (set != 1) return false;
    STACK_OF(SSL_CIPHER)* list = SSL_CTX_get_ciphers(ctx);
    for (int i = 0; i < sk_SSL_CIPHER_num(list); ++i) {
        if (SSL_CIPHER_get_id(sk_SSL_CIPHER_value(list, i)) == SSL_CIPHER_get_id(c)) return true;
    }
    return false;
}

}  // namespace

std::vector<Cipher> known_ciphers() {
    SslCtxPtr ctx = new_ctx();
    SslPtr ssl = new_ssl(ctx.get());
    SslCtxPtr probe = new_ctx();
    std::vector<Cipher> ciphers;
    for (unsigned code = 0; code <= 0xffff; ++code) {
        const unsigned char bytes[2] = {static_cast<unsigned char>(code >> 8),
                                        static_cast<unsigned char>(code & 0xff)};
        const SSL_CIPHER* c = SSL_CIPHER_find(ssl.get(), bytes);
        if (c == nullptr || !is_cipher(c)) continue;
        ciphers.push_back(describe(c));
        ciphers.back().usable = usable(probe.get(), c);
    }
    ERR_clear_error();
    return ciphers;
}

std::vector<ProtocolCiphers> ciphers_per_protocol() {
    std::vector<ProtocolCiphers> out;
    SslCtxPtr ctx = new_ctx();
    for (int version : tls::stream_protocol_versions()) {
        SslPtr ssl = new_ssl(ctx.get());
        ProtocolCiphers entry{tls::protocol_name(version), {}};
        // A version the build left out refuses to be pinned: it enables nothing.
        if (SSL_set_min_proto_version(ssl.get(), version) == 1 &&
            SSL_set_max_proto_version(ssl.get(), version) == 1) {
            const CipherStackPtr supported(SSL_get1_supported_ciphers(ssl.get()));
            if (supported) entry.ciphers = names_of(supported.get());
        }
        out.push_back(std::move(entry));
    }
    ERR_clear_error();
    return out;
}

}  // namespace sslfeatures::audit
