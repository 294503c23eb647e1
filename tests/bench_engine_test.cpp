// The handshake engine read back another way: after a pair has shaken hands,
// the server's SSL object is asked (through API the engine does not use to
// configure or check) what was negotiated; resumption is confirmed by the
// server and by the bytes it sent; the floor is compared with measured cost.
#include <gtest/gtest.h>

#include <openssl/objects.h>
#include <openssl/ssl.h>

#include "bench/floor.hpp"
#include "bench/matrix.hpp"
#include "bench/negotiated.hpp"
#include "bench/pair.hpp"
#include "bench/quick.hpp"
#include "bench/svg.hpp"

namespace sslfeatures::bench {
namespace {

Case make_case(int version, std::string cipher, tls::KeyType key, std::string group, Mode mode) {
    return Case{version, std::move(cipher), key, std::move(group), mode, false};
}

struct Ran {
    std::unique_ptr<Pair> pair;
    std::string problem;
};

Ran shake(const Case& c, int handshakes = 3) {
    Ran ran{std::make_unique<Pair>(c, Transport::memory), ""};
    ran.problem = ran.pair->prime();
    for (int i = 0; ran.problem.empty() && i < handshakes; ++i) {
        if (!ran.pair->handshake(true)) ran.problem = ran.pair->error();
    }
    return ran;
}

// The group the server used, by NID, without the engine's client-side path.
int server_group_nid(SSL* server) {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    return SSL_get_negotiated_group(server);
#else
    return SSL_get_shared_group(server, 0);
#endif
}

// The signature scheme the server signed with, as the client saw it.
int peer_signature_nid(SSL* client) {
    int nid = NID_undef;
    SSL_get_peer_signature_type_nid(client, &nid);
    return nid;
}

TEST(BenchEngine, Tls13FullHandshakeIsWhatTheNameSays) {
    const Case c = make_case(TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256", tls::KeyType::ecdsa_p384, "p-384", Mode::full);
    Ran ran = shake(c);
    ASSERT_EQ(ran.problem, "");
    SSL* server = ran.pair->server();
    EXPECT_EQ(SSL_SESSION_get_protocol_version(SSL_get_session(server)), TLS1_3_VERSION);
    EXPECT_STREQ(SSL_CIPHER_standard_name(SSL_SESSION_get0_cipher(SSL_get_session(server))), "TLS_AES_128_GCM_SHA256");
    EXPECT_EQ(server_group_nid(server), NID_secp384r1);
    EXPECT_EQ(peer_signature_nid(ran.pair->client()), EVP_PKEY_EC);
    EXPECT_EQ(SSL_session_reused(server), 0);
}

TEST(BenchEngine, Tls12EcdheRsaWithX25519IsWhatTheNameSays) {
    const Case c = make_case(TLS1_2_VERSION, "ECDHE-RSA-AES128-GCM-SHA256", tls::KeyType::rsa2048, "x25519", Mode::full);
    Ran ran = shake(c);
    ASSERT_EQ(ran.problem, "");
    SSL* server = ran.pair->server();
    EXPECT_STREQ(SSL_get_version(server), "TLSv1.2");
    EXPECT_EQ(SSL_CIPHER_get_protocol_id(SSL_get_current_cipher(server)), 0xC02F);
    EXPECT_EQ(server_group_nid(server), NID_X25519);
    EXPECT_EQ(peer_signature_nid(ran.pair->client()), NID_rsassaPss);
}

TEST(BenchEngine, Ed25519SignsInTls12) {
    const Case c = make_case(TLS1_2_VERSION, "ECDHE-ECDSA-AES256-GCM-SHA384", tls::KeyType::ed25519, "p-256", Mode::full);
    Ran ran = shake(c);
    ASSERT_EQ(ran.problem, "");
    EXPECT_EQ(peer_signature_nid(ran.pair->client()), NID_ED25519);
    EXPECT_EQ(server_group_nid(ran.pair->server()), NID_X9_62_prime256v1);
}

// The classic bug: a "resumed" case that quietly does full handshakes. The
// server must agree it resumed, and it must have sent no certificate.
void expect_resumes(const Case& c) {
    Ran full = shake(make_case(c.version, c.cipher, c.key, c.group, Mode::full));
    Ran resumed = shake(c);
    ASSERT_EQ(full.problem, "");
    ASSERT_EQ(resumed.problem, "") << c.name();
    EXPECT_EQ(SSL_session_reused(resumed.pair->server()), 1) << c.name();
    const Measures& f = full.pair->measures();
    const Measures& r = resumed.pair->measures();
    ASSERT_GT(f.sampled, 0);
    ASSERT_GT(r.sampled, 0);
    EXPECT_LT(r.server_to_client_bytes / r.sampled + 300, f.server_to_client_bytes / f.sampled) << c.name();
}

TEST(BenchEngine, ResumptionReallyResumes) {
    expect_resumes(make_case(TLS1_3_VERSION, "TLS_AES_256_GCM_SHA384", tls::KeyType::rsa2048, "x25519", Mode::ticket));
    expect_resumes(make_case(TLS1_2_VERSION, "ECDHE-RSA-AES256-GCM-SHA384", tls::KeyType::rsa2048, "x25519", Mode::ticket));
    expect_resumes(make_case(TLS1_2_VERSION, "ECDHE-RSA-AES256-GCM-SHA384", tls::KeyType::rsa2048, "x25519", Mode::session_id));
    expect_resumes(make_case(TLS1_2_VERSION, "DHE-RSA-AES128-GCM-SHA256", tls::KeyType::rsa2048, "ffdhe2048", Mode::session_id));
}

TEST(BenchEngine, AFullHandshakeClaimedAsResumedIsCaught) {
    const Case full = make_case(TLS1_2_VERSION, "ECDHE-RSA-AES256-GCM-SHA384", tls::KeyType::rsa2048, "x25519", Mode::full);
    Ran ran = shake(full, 1);
    ASSERT_EQ(ran.problem, "");
    Case claimed = full;
    claimed.mode = Mode::ticket;
    const std::string wrong = mismatch(claimed, read_negotiated(ran.pair->client()));
    EXPECT_NE(wrong.find("a full handshake instead of a resumed one"), std::string::npos) << wrong;
}

// The timed loop itself, not only the checks around it: when the server
// stops resuming in the middle of a run, the next handshake fails the case.
TEST(BenchEngine, ATimedHandshakeThatStopsResumingFailsTheCase) {
    for (Mode mode : {Mode::ticket, Mode::session_id}) {
        const Case c = make_case(TLS1_2_VERSION, "ECDHE-RSA-AES256-GCM-SHA384", tls::KeyType::rsa2048, "x25519", mode);
        Pair pair(c, Transport::memory);
        ASSERT_EQ(pair.prime(), "") << c.name();
        ASSERT_TRUE(pair.handshake(true)) << pair.error();
        SSL_CTX* server_ctx = SSL_get_SSL_CTX(pair.server());
        if (mode == Mode::ticket) {
            SSL_CTX_set_options(server_ctx, SSL_OP_NO_TICKET);
        } else {
            // the server forgets the session the client offers
            ASSERT_EQ(SSL_CTX_remove_session(server_ctx, SSL_get_session(pair.client())), 1);
        }
        EXPECT_FALSE(pair.handshake(true)) << c.name();
        EXPECT_NE(pair.error().find("a full handshake instead of a resumed one"), std::string::npos) << pair.error();
    }
}

TEST(BenchEngine, AWrongSuiteGroupOrKeyIsCaught) {
    const Case c = make_case(TLS1_3_VERSION, "TLS_AES_256_GCM_SHA384", tls::KeyType::ecdsa_p256, "x25519", Mode::full);
    Ran ran = shake(c, 1);
    ASSERT_EQ(ran.problem, "");
    const Negotiated got = read_negotiated(ran.pair->client());
    Case other = c;
    other.cipher = "TLS_AES_128_GCM_SHA256";
    other.group = "p-256";
    other.key = tls::KeyType::rsa2048;
    const std::string wrong = mismatch(other, got);
    EXPECT_NE(wrong.find("suite TLS_AES_256_GCM_SHA384 instead of TLS_AES_128_GCM_SHA256"), std::string::npos) << wrong;
    EXPECT_NE(wrong.find("group 'x25519' instead of p-256"), std::string::npos) << wrong;
    EXPECT_NE(wrong.find("key 'ecdsa-p256' instead of rsa-2048"), std::string::npos) << wrong;
    EXPECT_EQ(mismatch(c, got), "");
}

TEST(BenchEngine, TcpTransportShakesHandsToo) {
    const Case c = make_case(TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256", tls::KeyType::ecdsa_p256, "x25519", Mode::ticket);
    Pair pair(c, Transport::tcp);
    ASSERT_EQ(pair.prime(), "");
    ASSERT_TRUE(pair.handshake(true)) << pair.error();
    EXPECT_GE(SSL_get_fd(pair.server()), 0);
    EXPECT_EQ(SSL_session_reused(pair.server()), 1);
}

TEST(BenchFloor, IsPositiveAndBelowTheMeasuredHandshake) {
    for (const Case& c : quick_cases()) {
        const Floor floor = crypto_floor(c);
        Ran ran = shake(c, 16);
        ASSERT_EQ(ran.problem, "") << c.name();
        const Measures& m = ran.pair->measures();
        const double measured_ns = (m.client_cpu_ns + m.server_cpu_ns) / static_cast<double>(m.sampled);
        if (c.resumed() && c.version != TLS1_3_VERSION) {
            EXPECT_EQ(floor.total_ns(), 0) << c.name();
            continue;
        }
        EXPECT_GT(floor.server_ns, 0) << c.name();
        EXPECT_GT(floor.client_ns, 0) << c.name();
        EXPECT_LT(floor.total_ns(), measured_ns) << c.name();
    }
}

TEST(BenchMatrixUnit, QuickSetIsTwoProtocolsTwoKeysTwoModes) {
    const auto cases = quick_cases();
    ASSERT_EQ(cases.size(), 8u);
    for (const Case& c : cases) {
        EXPECT_TRUE(c.key == tls::KeyType::rsa2048 || c.key == tls::KeyType::ecdsa_p256);
        EXPECT_TRUE(c.mode == Mode::full || c.mode == Mode::ticket);
        EXPECT_EQ(c.group, "x25519");
    }
    EXPECT_EQ(cases.front().name().rfind("tls1.3/TLS_", 0), 0u) << cases.front().name();
}

TEST(BenchMatrixUnit, Tls12MatrixCoversTheFourFamilies) {
    Selection s;
    s.protocols = {"tls1.2"};
    const Matrix m = build_matrix(s);
    for (const char* family : {"/ECDHE-ECDSA-", "/ECDHE-RSA-", "/DHE-RSA-", "/AES128-GCM-SHA256/"}) {
        const bool found = std::any_of(m.cases.begin(), m.cases.end(),
                                       [&](const Case& c) { return c.name().find(family) != std::string::npos; });
        EXPECT_TRUE(found) << family;
    }
    for (const Case& c : m.cases) {
        const bool ecdsa = c.cipher.rfind("ECDHE-ECDSA-", 0) == 0;
        const bool rsa_key = tls::key_type_name(c.key).rfind("rsa-", 0) == 0;
        EXPECT_NE(ecdsa, rsa_key) << c.name();
    }
}

TEST(BenchQuickApi, FillsMediansAndRepetitions) {
    const auto cases = run_quick_set(2);
    ASSERT_EQ(cases.size(), 8u);
    for (const auto& c : cases) {
        EXPECT_GT(c.handshakes_per_second, 0) << c.id;
        EXPECT_EQ(c.repetitions, 2) << c.id;
        EXPECT_GE(c.cv, 0) << c.id;
        EXPECT_LT(c.cv, 1) << c.id;  // a fraction; how small depends on the machine's load
    }
    EXPECT_EQ(cases[0].id, quick_cases()[0].name());
}

}  // namespace
}  // namespace sslfeatures::bench
