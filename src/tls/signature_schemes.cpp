#include "tls/signature_schemes.hpp"

#include <algorithm>
#include <span>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#if OPENSSL_VERSION_NUMBER < 0x30000000L
#include <openssl/ec.h>
#endif

#include "util/ossl_ptr.hpp"
#include "tls/peer_names.hpp"

namespace sslfeatures::tls {
namespace {

struct Entry {
    std::uint16_t code;
    std::string_view name;
};

// The IANA "TLS SignatureScheme" registry, every assigned code point:
// https://www.iana.org/assignments/tls-parameters/tls-parameters.xhtml#tls-signaturescheme
// (RFC 8446 section 4.2.3 and the RFCs and drafts it lists per entry).
constexpr Entry kRegistry[] = {
    {0x0201, "rsa_pkcs1_sha1"},
    {0x0203, "ecdsa_sha1"},
    {0x0401, "rsa_pkcs1_sha256"},
    {0x0403, "ecdsa_secp256r1_sha256"},
    {0x0420, "rsa_pkcs1_sha256_legacy"},
    {0x0501, "rsa_pkcs1_sha384"},
    {0x0503, "ecdsa_secp384r1_sha384"},
    {0x0520, "rsa_pkcs1_sha384_legacy"},
    {0x0601, "rsa_pkcs1_sha512"},
    {0x0603, "ecdsa_secp521r1_sha512"},
    {0x0620, "rsa_pkcs1_sha512_legacy"},
    {0x0704, "eccsi_sha256"},
    {0x0705, "iso_ibs1"},
    {0x0706, "iso_ibs2"},
    {0x0707, "iso_chinese_ibs"},
    {0x0708, "sm2sig_sm3"},
    {0x0709, "gostr34102012_256a"},
    {0x070a, "gostr34102012_256b"},
    {0x070b, "gostr34102012_256c"},
    {0x070c, "gostr34102012_256d"},
    {0x070d, "gostr34102012_512a"},
    {0x070e, "gostr34102012_512b"},
    {0x070f, "gostr34102012_512c"},
    {0x0804, "rsa_pss_rsae_sha256"},
    {0x0805, "rsa_pss_rsae_sha384"},
    {0x0806, "rsa_pss_rsae_sha512"},
    {0x0807, "ed25519"},
    {0x0808, "ed448"},
    {0x0809, "rsa_pss_pss_sha256"},
    {0x080a, "rsa_pss_pss_sha384"},
    {0x080b, "rsa_pss_pss_sha512"},
    {0x081a, "ecdsa_brainpoolP256r1tls13_sha256"},
    {0x081b, "ecdsa_brainpoolP384r1tls13_sha384"},
    {0x081c, "ecdsa_brainpoolP512r1tls13_sha512"},
    {0x0904, "mldsa44"},
    {0x0905, "mldsa65"},
    {0x0906, "mldsa87"},
};

// TLS 1.2's hash and signature pairs (RFC 5246 section 7.4.1.4.1) that the
// registry only reserves "for backward compatibility", by the names OpenSSL
// gives them (ssl/t1_trce.c; the MD5 ones by the same pattern). OpenSSL still
// offers several of them in a TLS 1.2 ClientHello.
constexpr Entry kLegacyPairs[] = {
    {0x0101, "rsa_pkcs1_md5"},    {0x0102, "dsa_md5"},    {0x0103, "ecdsa_md5"},
    {0x0202, "dsa_sha1"},         {0x0301, "rsa_pkcs1_sha224"}, {0x0302, "dsa_sha224"},
    {0x0303, "ecdsa_sha224"},     {0x0402, "dsa_sha256"}, {0x0502, "dsa_sha384"},
    {0x0602, "dsa_sha512"},
};

template <typename Match>
const Entry* find_entry(Match match) {
    for (std::span<const Entry> table : {std::span<const Entry>(kRegistry), std::span<const Entry>(kLegacyPairs)}) {
        const auto found = std::find_if(table.begin(), table.end(), match);
        if (found != table.end()) return &*found;
    }
    return nullptr;
}

// ---- the peer's scheme from what OpenSSL 1.1.1 and 3.0 report ------------------

// RFC 5246's HashAlgorithm byte; 0 for a hash TLS 1.2 cannot name.
int hash_byte(int hash_nid) {
    switch (hash_nid) {
        case NID_md5: return 1;
        case NID_sha1: return 2;
        case NID_sha224: return 3;
        case NID_sha256: return 4;
        case NID_sha384: return 5;
        case NID_sha512: return 6;
        default: return 0;
    }
}

std::string nid_name(int nid) { return nid == NID_undef ? "undef" : OBJ_nid2sn(nid); }

// A scheme the derivation cannot place, in OpenSSL's words.
SignatureScheme unplaced(int type, int hash) {
    return SignatureScheme::unregistered(fmt::format("{}+{}", nid_name(type), nid_name(hash)));
}

// TLS 1.2's pairs: the hash byte, then the signature byte (RSA 1, DSA 2, ECDSA 3).
SignatureScheme pair(int type, int hash, int signature_byte) {
    const int h = hash_byte(hash);
    if (h == 0) return unplaced(type, hash);
    return SignatureScheme::from_code(static_cast<std::uint16_t>(h << 8 | signature_byte));
}

EVP_PKEY* peer_key(SSL* ssl, X509Ptr& holder) {
    holder.reset(peer_certificate(ssl));
    return holder ? X509_get0_pubkey(holder.get()) : nullptr;
}

// OpenSSL reports RSASSA-PSS alike for both kinds; the key tells them apart:
// rsa_pss_pss_* signs with an RSASSA-PSS key, rsa_pss_rsae_* with an
// rsaEncryption one.
SignatureScheme rsa_pss(SSL* ssl, int hash) {
    const int offset = hash == NID_sha256 ? 0 : hash == NID_sha384 ? 1 : hash == NID_sha512 ? 2 : -1;
    if (offset < 0) return unplaced(EVP_PKEY_RSA_PSS, hash);
    X509Ptr cert;
    EVP_PKEY* key = peer_key(ssl, cert);
    const bool pss_key = key != nullptr && EVP_PKEY_base_id(key) == EVP_PKEY_RSA_PSS;
    return SignatureScheme::from_code(static_cast<std::uint16_t>((pss_key ? 0x0809 : 0x0804) + offset));
}

int ec_curve(EVP_PKEY* key) {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    char name[64] = "";
    if (EVP_PKEY_get_group_name(key, name, sizeof name, nullptr) != 1) return NID_undef;
    return OBJ_txt2nid(name);
#else
    const EC_KEY* ec = EVP_PKEY_get0_EC_KEY(key);
    return ec != nullptr ? EC_GROUP_get_curve_name(EC_KEY_get0_group(ec)) : NID_undef;
#endif
}

// TLS 1.3 ties ECDSA to a curve: a brainpool key signs with the brainpool
// schemes of RFC 8734. TLS 1.2's ECDSA pairs name only the hash.
SignatureScheme ecdsa(SSL* ssl, int hash) {
    if (SSL_version(ssl) >= TLS1_3_VERSION) {
        X509Ptr cert;
        EVP_PKEY* key = peer_key(ssl, cert);
        const int curve = key != nullptr ? ec_curve(key) : NID_undef;
        if (curve == NID_brainpoolP256r1 && hash == NID_sha256) return SignatureScheme::from_code(0x081a);
        if (curve == NID_brainpoolP384r1 && hash == NID_sha384) return SignatureScheme::from_code(0x081b);
        if (curve == NID_brainpoolP512r1 && hash == NID_sha512) return SignatureScheme::from_code(0x081c);
    }
    return pair(EVP_PKEY_EC, hash, 3);
}

std::optional<SignatureScheme> derived_scheme(SSL* ssl) {
    int type = NID_undef, hash = NID_undef;
    if (SSL_get_peer_signature_type_nid(ssl, &type) != 1) return std::nullopt;
    if (SSL_get_peer_signature_nid(ssl, &hash) != 1) hash = NID_undef;
    switch (type) {
        case EVP_PKEY_ED25519: return SignatureScheme::from_code(0x0807);
        case EVP_PKEY_ED448: return SignatureScheme::from_code(0x0808);
        case EVP_PKEY_RSA_PSS: return rsa_pss(ssl, hash);
        case EVP_PKEY_RSA:
            return hash == NID_md5_sha1 ? SignatureScheme::md5_sha1() : pair(type, hash, 1);
        case EVP_PKEY_DSA: return pair(type, hash, 2);
        case EVP_PKEY_EC: return ecdsa(ssl, hash);
        default: return unplaced(type, hash);
    }
}

}  // namespace

SignatureScheme SignatureScheme::from_code(std::uint16_t code) {
    const Entry* e = find_entry([code](const Entry& entry) { return entry.code == code; });
    return {code, e != nullptr ? std::string(e->name) : fmt::format("0x{:04x}", code)};
}

std::optional<SignatureScheme> SignatureScheme::from_name(std::string_view name) {
    const Entry* e = find_entry([name](const Entry& entry) { return entry.name == name; });
    if (e == nullptr) return std::nullopt;
    return SignatureScheme(e->code, std::string(e->name));
}

SignatureScheme SignatureScheme::md5_sha1() { return {std::nullopt, "md5_sha1"}; }

SignatureScheme SignatureScheme::unregistered(std::string name) { return {std::nullopt, std::move(name)}; }

std::string SignatureScheme::hex() const { return code_ ? fmt::format("0x{:04x}", *code_) : std::string(); }

std::optional<SignatureScheme> peer_signature_scheme(SSL* ssl) {
#ifdef SSL_get0_peer_signature_name
    // OpenSSL 3.5 names the scheme itself, with the registry's names.
    const char* name = nullptr;
    if (SSL_get0_peer_signature_name(ssl, &name) == 1 && name != nullptr) {
        if (std::string_view(name) == "rsa_pkcs1_md5_sha1") return SignatureScheme::md5_sha1();
        if (auto scheme = SignatureScheme::from_name(name)) return scheme;
    }
#endif
    return derived_scheme(ssl);
}

}  // namespace sslfeatures::tls

fmt::format_context::iterator fmt::formatter<sslfeatures::tls::SignatureScheme>::format(
    const sslfeatures::tls::SignatureScheme& scheme, fmt::format_context& ctx) const {
    const std::string hex = scheme.hex();
    // A code point without a name is its own name: "0x0a0a", not "0x0a0a (0x0a0a)".
    if (hex.empty() || hex == scheme.name()) return fmt::formatter<std::string_view>::format(scheme.name(), ctx);
    return fmt::formatter<std::string_view>::format(fmt::format("{} ({})", scheme.name(), hex), ctx);
}
