// TLS signature schemes in one vocabulary for the report, `defaults`, the
// snapshot and the diff: the IANA registry's name with its code point,
// "rsa_pss_rsae_sha256 (0x0804)". OpenSSL's object names cannot serve:
// "RSASSA-PSS+SHA256" is both rsa_pss_rsae_sha256 and rsa_pss_pss_sha256,
// and "ecdsa-with-SHA256" both ecdsa_secp256r1_sha256 and its brainpool twin.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <openssl/ssl.h>

namespace sslfeatures::tls {

class SignatureScheme {
  public:
    // The registry's name for a code point, or "0xNNNN" when it has none.
    static SignatureScheme from_code(std::uint16_t code);
    // The scheme a registry name stands for; nullopt for a name it lacks.
    static std::optional<SignatureScheme> from_name(std::string_view name);
    // TLS 1.0 and 1.1 sign with RSA over MD5 and SHA-1 hashes joined: a
    // scheme with no code point, since those versions never name one.
    static SignatureScheme md5_sha1();
    // A scheme outside the registry and its reserved pairs, by OpenSSL's names.
    static SignatureScheme unregistered(std::string name);

    std::optional<std::uint16_t> code() const { return code_; }
    const std::string& name() const { return name_; }
    // "0x0804", or "" without a code point.
    std::string hex() const;

    friend bool operator==(const SignatureScheme&, const SignatureScheme&) = default;

  private:
    SignatureScheme(std::optional<std::uint16_t> code, std::string name)
        : code_(code), name_(std::move(name)) {}

    std::optional<std::uint16_t> code_;
    std::string name_;
};

// The scheme the peer signed this handshake with (its CertificateVerify, or a
// TLS 1.2 ServerKeyExchange); nullopt when it signed nothing: no client
// certificate, a resumed session, RSA key exchange.
std::optional<SignatureScheme> peer_signature_scheme(SSL* ssl);

}  // namespace sslfeatures::tls

// "rsa_pss_rsae_sha256 (0x0804)"; "md5_sha1" and "0x0a0a" stand alone.
template <>
struct fmt::formatter<sslfeatures::tls::SignatureScheme> : fmt::formatter<std::string_view> {
    fmt::format_context::iterator format(const sslfeatures::tls::SignatureScheme& scheme,
                                         fmt::format_context& ctx) const;
};
