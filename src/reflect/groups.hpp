// The TLS key-exchange groups the running library can offer.
#pragma once

#include <string>
#include <vector>

namespace sslfeatures::reflect {

// Each group once, by its TLS name as the library spells it ("x25519",
// "secp256r1", "ffdhe2048", "X25519MLKEM768" ...), in the library's own order.
// OpenSSL 3: every provider's TLS-GROUP capability. OpenSSL 1.1.1: each
// built-in curve the library accepts as a group, then X25519 and X448.
std::vector<std::string> tls_group_names();

// OpenSSL 1.1.1 names groups by their curve objects ("prime256v1", "X25519");
// OpenSSL 3 by their TLS names ("secp256r1", "x25519"). Returns the TLS name
// for either, so that lists compare across versions.
std::string tls_group_spelling(std::string name);

}  // namespace sslfeatures::reflect
