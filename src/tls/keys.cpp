#include "tls/keys.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <openssl/ec.h>
#include <openssl/objects.h>

#include "util/error.hpp"
#include "util/openssl_text.hpp"

namespace sslfeatures::tls {
namespace {

struct KeyTypeInfo {
    KeyType type;
    std::string_view name;
    int rsa_bits;   // 0 for the others
    int curve_nid;  // NID_undef for the others
};

constexpr KeyTypeInfo kKeyTypeInfo[] = {
    {KeyType::rsa2048, "rsa-2048", 2048, NID_undef},
    {KeyType::rsa3072, "rsa-3072", 3072, NID_undef},
    {KeyType::rsa4096, "rsa-4096", 4096, NID_undef},
    {KeyType::ecdsa_p256, "ecdsa-p256", 0, NID_X9_62_prime256v1},
    {KeyType::ecdsa_p384, "ecdsa-p384", 0, NID_secp384r1},
    {KeyType::ed25519, "ed25519", 0, NID_undef},
};

const KeyTypeInfo& info(KeyType type) {
    for (const KeyTypeInfo& i : kKeyTypeInfo) {
        if (i.type == type) return i;
    }
    throw Error(kFailure, "unknown key type (please report this)");
}

void check(bool ok, std::string_view doing) {
    if (!ok) throw Error(kFailure, fmt::format("cannot {}: {}", doing, openssl_error_text()));
}

EvpPkeyCtxPtr keygen_context(const KeyTypeInfo& key) {
    const int id = key.rsa_bits != 0             ? EVP_PKEY_RSA
                   : key.curve_nid != NID_undef ? EVP_PKEY_EC
                                                : EVP_PKEY_ED25519;
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_id(id, nullptr));
    check(ctx != nullptr, "make a key context");
    check(EVP_PKEY_keygen_init(ctx.get()) == 1, "start key generation");
    if (key.rsa_bits != 0) {
        check(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), key.rsa_bits) > 0, "set the RSA size");
    }
    if (key.curve_nid != NID_undef) {
        check(EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx.get(), key.curve_nid) > 0, "set the curve");
        // A named curve, not explicit parameters: peers reject the latter.
        check(EVP_PKEY_CTX_set_ec_param_enc(ctx.get(), OPENSSL_EC_NAMED_CURVE) > 0, "set the curve encoding");
    }
    return ctx;
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

// "p256" for NIST P-256, else the curve's short name ("brainpoolp256r1").
std::string curve_name(const EVP_PKEY* key) {
    int nid = NID_undef;
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    char group[80] = {};
    if (EVP_PKEY_get_group_name(key, group, sizeof group, nullptr) == 1) nid = OBJ_txt2nid(group);
#else
    const EC_KEY* ec = EVP_PKEY_get0_EC_KEY(const_cast<EVP_PKEY*>(key));
    if (ec != nullptr && EC_KEY_get0_group(ec) != nullptr) nid = EC_GROUP_get_curve_name(EC_KEY_get0_group(ec));
#endif
    if (nid == NID_undef) return "explicit";
    const char* nist = EC_curve_nid2nist(nid);
    if (nist != nullptr) {
        std::string name = lower(nist);  // "p-256"
        name.erase(std::remove(name.begin(), name.end(), '-'), name.end());
        return name;
    }
    return lower(OBJ_nid2sn(nid));
}

}  // namespace

bool is_rsa(KeyType type) { return info(type).rsa_bits != 0; }

std::string_view key_type_name(KeyType type) { return info(type).name; }

std::optional<KeyType> parse_key_type(std::string_view name) {
    for (const KeyTypeInfo& i : kKeyTypeInfo) {
        if (i.name == name) return i.type;
    }
    return std::nullopt;
}

std::string key_type_names() {
    std::vector<std::string_view> names;
    for (KeyType type : kKeyTypes) names.push_back(key_type_name(type));
    return fmt::format("{}", fmt::join(names, ", "));
}

namespace {

EvpPkeyPtr generate(const KeyTypeInfo& key) {
    EvpPkeyCtxPtr ctx = keygen_context(key);
    EVP_PKEY* made = nullptr;
    check(EVP_PKEY_keygen(ctx.get(), &made) == 1, fmt::format("generate an {} key", key.name));
    return EvpPkeyPtr(made);
}

}  // namespace

EvpPkeyPtr generate_key(KeyType type) { return generate(info(type)); }

EvpPkeyPtr generate_rsa_key(int bits) {
    const std::string name = fmt::format("rsa-{}", bits);
    return generate(KeyTypeInfo{KeyType::rsa2048, name, bits, NID_undef});
}

std::string key_name(const EVP_PKEY* key) {
    if (key == nullptr) return "unknown";
    const int bits = EVP_PKEY_bits(key);
    switch (EVP_PKEY_base_id(key)) {
        case EVP_PKEY_RSA: return fmt::format("rsa-{}", bits);
        case EVP_PKEY_RSA_PSS: return fmt::format("rsa-pss-{}", bits);
        case EVP_PKEY_EC: return "ecdsa-" + curve_name(key);
        case EVP_PKEY_ED25519: return "ed25519";
        case EVP_PKEY_ED448: return "ed448";
        default: break;
    }
    const char* sn = OBJ_nid2sn(EVP_PKEY_base_id(key));
    const std::string name = lower(sn != nullptr && *sn != '\0' ? sn : "unknown");
    return bits > 0 ? fmt::format("{}-{}", name, bits) : name;
}

}  // namespace sslfeatures::tls
