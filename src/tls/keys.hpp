// Key types, one vocabulary for every place a key is named: the key types we
// generate (pki --key, bench --key and case names, snapshots), and any key a
// peer presents (the report's chain lines), in the same spelling:
// "rsa-2048", "rsa-pss-2048", "ecdsa-p256", "ed25519", "ed448".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <openssl/evp.h>

#include "util/ossl_ptr.hpp"

namespace sslfeatures::tls {

enum class KeyType { rsa2048, rsa3072, rsa4096, ecdsa_p256, ecdsa_p384, ed25519 };

// Every key type, in the order help texts list them.
inline constexpr KeyType kKeyTypes[] = {KeyType::rsa2048,    KeyType::rsa3072,
                                        KeyType::rsa4096,    KeyType::ecdsa_p256,
                                        KeyType::ecdsa_p384, KeyType::ed25519};

// "rsa-2048", "rsa-3072", "rsa-4096", "ecdsa-p256", "ecdsa-p384", "ed25519".
std::string_view key_type_name(KeyType type);
std::optional<KeyType> parse_key_type(std::string_view name);
// The names above joined with ", ", for error messages and help.
std::string key_type_names();
// RSA keys sign and can carry TLS 1.2's RSA key exchange; the others only sign.
bool is_rsa(KeyType type);

EvpPkeyPtr generate_key(KeyType type);
// An RSA key of any size, for probes that ask whether a library still accepts
// a short one (1024 bits); our key types are the ones above.
EvpPkeyPtr generate_rsa_key(int bits);

// Any key in the same spelling: a key of one of our types gets its name;
// others follow the pattern ("rsa-pss-3072", "ecdsa-p521", "ecdsa-
// brainpoolp256r1", "ed448"); an unknown algorithm gives its OpenSSL short
// name in lower case, with the size in bits when the key has one.
std::string key_name(const EVP_PKEY* key);

}  // namespace sslfeatures::tls
