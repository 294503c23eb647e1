// The signature scheme vocabulary against OpenSSL itself: asked for a scheme
// by its registry name (SSL_CTX_set1_sigalgs_list), OpenSSL must put our code
// point for that name into a ClientHello, as bytes this test reads itself.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <openssl/ssl.h>

#include "tls/signature_schemes.hpp"

namespace sslfeatures::testing {
namespace {

using tls::SignatureScheme;

// The ClientHello a fresh client context sends when it offers only `name`;
// empty when OpenSSL does not know the name or cannot offer it.
std::string hello_offering(const std::string& name) {
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
    // Level 0: SHA-1 and MD5 schemes are left out of a hello above it.
    SSL_CTX_set_security_level(ctx.get(), 0);
    if (SSL_CTX_set1_sigalgs_list(ctx.get(), name.c_str()) != 1) return {};
    std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), SSL_free);
    BIO* out = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl.get(), BIO_new(BIO_s_mem()), out);
    SSL_set_connect_state(ssl.get());
    SSL_do_handshake(ssl.get());
    char* data = nullptr;
    const long len = BIO_get_mem_data(out, &data);
    return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string();
}

// The signature_algorithms extension (13) of a ClientHello record, per
// RFC 8446 section 4.1.2: record header 5, handshake header 4, version 2,
// random 32, then the session id, cipher suites, compression methods and
// extensions, each behind its length.
std::vector<std::uint16_t> offered_codes(const std::string& record) {
    const auto* b = reinterpret_cast<const unsigned char*>(record.data());
    const std::size_t n = record.size();
    auto u16 = [&](std::size_t at) { return at + 1 < n ? static_cast<std::size_t>(b[at] << 8 | b[at + 1]) : 0; };
    std::size_t at = 5 + 4 + 2 + 32;
    if (at >= n) return {};
    at += 1 + b[at];   // session id
    at += 2 + u16(at);  // cipher suites
    if (at >= n) return {};
    at += 1 + b[at];   // compression methods
    const std::size_t end = std::min(n, at + 2 + u16(at));
    for (at += 2; at + 4 <= end; at += 4 + u16(at + 2)) {
        if (u16(at) != 13) continue;
        std::vector<std::uint16_t> codes;
        const std::size_t list_end = std::min(end, at + 6 + u16(at + 4));
        for (std::size_t i = at + 6; i + 1 < list_end; i += 2) codes.push_back(static_cast<std::uint16_t>(u16(i)));
        return codes;
    }
    return {};
}

// Every code point the table names (the rest format as "0xNNNN").
std::vector<SignatureScheme> named_schemes() {
    std::vector<SignatureScheme> named;
    for (unsigned code = 0; code <= 0xffff; ++code) {
        SignatureScheme s = SignatureScheme::from_code(static_cast<std::uint16_t>(code));
        if (s.name() != s.hex()) named.push_back(std::move(s));
    }
    return named;
}

TEST(SignatureSchemes, OpensslPutsOurCodePointOnTheWireForEachNameItKnows) {
    int confirmed = 0;
    std::vector<std::string> unknown_to_openssl;
    for (const SignatureScheme& s : named_schemes()) {
        const std::string hello = hello_offering(s.name());
        if (hello.empty()) {
            unknown_to_openssl.push_back(s.name());
            continue;
        }
        EXPECT_EQ(offered_codes(hello), std::vector<std::uint16_t>{*s.code()}) << s.name();
        ++confirmed;
    }
    // 1.1.1 and 3.0 take 16 of the names (not the DSA and SHA-224 pairs, which
    // they only know as "DSA+SHA256"); 3.5 also brainpool, ML-DSA and those.
    EXPECT_GE(confirmed, 16) << "OpenSSL knew only " << confirmed << "; not: "
                             << fmt::format("{}", fmt::join(unknown_to_openssl, " "));
    RecordProperty("not_known_to_this_openssl", fmt::format("{}", fmt::join(unknown_to_openssl, " ")));
}

TEST(SignatureSchemes, FormatAsNameAndCodePointOrStandAlone) {
    EXPECT_EQ(fmt::format("{}", SignatureScheme::from_code(0x0804)), "rsa_pss_rsae_sha256 (0x0804)");
    EXPECT_EQ(fmt::format("{}", SignatureScheme::from_code(0x081a)), "ecdsa_brainpoolP256r1tls13_sha256 (0x081a)");
    // A code point the registry has no name for is its own name.
    EXPECT_EQ(fmt::format("{}", SignatureScheme::from_code(0x0a0a)), "0x0a0a");
    EXPECT_EQ(fmt::format("{}", SignatureScheme::md5_sha1()), "md5_sha1");
    EXPECT_FALSE(SignatureScheme::md5_sha1().code().has_value());
    // Width and alignment apply to the whole text.
    EXPECT_EQ(fmt::format("[{:>20}]", SignatureScheme::from_code(0x0807)), "[    ed25519 (0x0807)]");
}

TEST(SignatureSchemes, NamesAndCodePointsAreOneToOne) {
    for (const SignatureScheme& s : named_schemes()) {
        const std::optional<SignatureScheme> back = SignatureScheme::from_name(s.name());
        ASSERT_TRUE(back.has_value()) << s.name();
        EXPECT_EQ(*back, s) << s.name();
    }
    EXPECT_FALSE(SignatureScheme::from_name("RSASSA-PSS+SHA256").has_value());
}

}  // namespace
}  // namespace sslfeatures::testing
