// Bulk data and the latency histogram, read back another way: bytes on the
// wire per payload against the record layout's arithmetic (written here from
// RFC 8446, 5288, 7905 and 7366, not taken from the code under test), the
// suite as the server's SSL reports it, the data compared byte for byte, and
// percentiles against a sorted vector of the same samples.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include <openssl/ssl.h>

#include "bench/bulk.hpp"
#include "bench/bulk_matrix.hpp"
#include "bench/latency.hpp"

namespace sslfeatures::bench {
namespace {

constexpr std::size_t kRecord = 16384;
constexpr std::size_t kHeader = 5;

std::size_t round_up(std::size_t n, std::size_t block) {
    return (n + block - 1) / block * block;
}

enum class Layout { tls13_aead, tls12_gcm, tls12_chacha, cbc_etm, cbc_mte };

// Wire bytes of one payload: records of at most 16384 bytes, each with its
// header and its protection.
std::size_t expected_wire(std::size_t payload, Layout layout, std::size_t mac = 0) {
    std::size_t wire = 0;
    for (std::size_t left = payload; left > 0; left -= std::min(left, kRecord)) {
        const std::size_t n = std::min(left, kRecord);
        switch (layout) {
            case Layout::tls13_aead: wire += kHeader + n + 1 + 16; break;   // content type, tag
            case Layout::tls12_gcm: wire += kHeader + 8 + n + 16; break;    // explicit nonce, tag
            case Layout::tls12_chacha: wire += kHeader + n + 16; break;     // implicit nonce, tag
            case Layout::cbc_etm: wire += kHeader + 16 + round_up(n + 1, 16) + mac; break;
            case Layout::cbc_mte: wire += kHeader + 16 + round_up(n + mac + 1, 16); break;
        }
    }
    return wire;
}

struct Suite {
    int version;
    const char* cipher;
    tls::KeyType key;
    const char* group;
    Layout layout;
    std::size_t mac;
};

const Suite kSuites[] = {
    {TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256", tls::KeyType::ecdsa_p256, "x25519", Layout::tls13_aead, 0},
    {TLS1_3_VERSION, "TLS_CHACHA20_POLY1305_SHA256", tls::KeyType::ecdsa_p256, "x25519", Layout::tls13_aead, 0},
    {TLS1_2_VERSION, "ECDHE-RSA-AES256-GCM-SHA384", tls::KeyType::rsa2048, "x25519", Layout::tls12_gcm, 0},
    {TLS1_2_VERSION, "ECDHE-ECDSA-CHACHA20-POLY1305", tls::KeyType::ecdsa_p256, "x25519", Layout::tls12_chacha, 0},
    {TLS1_2_VERSION, "ECDHE-RSA-AES128-SHA", tls::KeyType::rsa2048, "x25519", Layout::cbc_etm, 20},
    {TLS1_2_VERSION, "ECDHE-RSA-AES128-SHA", tls::KeyType::rsa2048, "x25519", Layout::cbc_mte, 20},
    {TLS1_2_VERSION, "ECDHE-ECDSA-AES256-SHA384", tls::KeyType::ecdsa_p256, "x25519", Layout::cbc_etm, 48},
    {TLS1_2_VERSION, "ECDHE-ECDSA-AES256-SHA384", tls::KeyType::ecdsa_p256, "x25519", Layout::cbc_mte, 48},
};

BulkCase bulk_case(const Suite& s, std::size_t payload) {
    Case handshake{s.version, s.cipher, s.key, s.group, Mode::full, false};
    const bool cbc = s.layout == Layout::cbc_etm || s.layout == Layout::cbc_mte;
    handshake.encrypt_then_mac = s.layout != Layout::cbc_mte;
    return {handshake, payload, cbc};
}

TEST(BenchBulk, WireBytesFollowTheRecordLayout) {
    for (const Suite& s : kSuites) {
        for (std::size_t payload : {1, 1024, 16383, 16384, 16385, 100000}) {
            const BulkCase c = bulk_case(s, payload);
            BulkPair pair(c);
            ASSERT_EQ(pair.prime(), "") << c.name();
            const double wire = pair.wire_per_byte() * static_cast<double>(payload);
            EXPECT_EQ(std::llround(wire), static_cast<long long>(expected_wire(payload, s.layout, s.mac))) << c.name();
        }
    }
}

TEST(BenchBulk, TheServerSeesTheNamedSuiteAndTheDataArrivesIntact) {
    for (const Suite& s : kSuites) {
        const BulkCase c = bulk_case(s, 4000);
        BulkPair pair(c);
        ASSERT_EQ(pair.prime(), "") << c.name();
        for (int i = 0; i < 50; ++i) ASSERT_TRUE(pair.transfer()) << pair.error();
        EXPECT_EQ(pair.check_last(), "");
        EXPECT_STREQ(SSL_CIPHER_get_name(SSL_get_current_cipher(pair.server())), s.cipher);
        EXPECT_EQ(SSL_version(pair.server()), s.version);
        const SideCosts costs = pair.side_costs();
        EXPECT_GT(costs.send_ns, 0) << c.name();
        EXPECT_GT(costs.receive_ns, 0) << c.name();
    }
}

TEST(BenchBulk, EncryptThenMacIsNamedOnlyForCbcSuites) {
    Selection all;
    const BulkMatrix matrix = build_bulk_matrix(all, {16384});
    std::size_t etm = 0, mte = 0;
    for (const BulkCase& c : matrix.cases) {
        const std::string name = c.name();
        if (name.find("/bulk-etm-") != std::string::npos) ++etm;
        if (name.find("/bulk-mte-") != std::string::npos) ++mte;
        // A CBC suite name carries "-SHA" with no GCM, CCM or POLY1305 in it.
        const bool cbc_name = c.handshake.version == TLS1_2_VERSION && name.find("GCM") == std::string::npos &&
                              name.find("CCM") == std::string::npos && name.find("POLY1305") == std::string::npos;
        EXPECT_EQ(c.cbc, cbc_name) << name;
    }
    EXPECT_EQ(etm, mte);
    EXPECT_GT(etm, 0u);
}

TEST(BenchBulk, PayloadSizesParseStrictly) {
    EXPECT_EQ(parse_payload("1500"), 1500u);
    EXPECT_EQ(parse_payload("16k"), 16384u);
    EXPECT_EQ(parse_payload("1M"), 1048576u);
    EXPECT_EQ(parse_payload("16m"), kMaxPayload);
    for (const char* bad : {"", "0", "k", "1.5k", "-1", "17m", "1g", "12 ", "99999999999999999999"}) {
        EXPECT_EQ(parse_payload(bad), 0u) << bad;
    }
    EXPECT_EQ(payload_label(16384), "16k");
    EXPECT_EQ(payload_label(1500), "1500");
    EXPECT_EQ(payload_label(std::size_t{2} << 20), "2m");
}

// Nearest-rank percentiles of a sorted copy of the same samples.
TEST(BenchLatency, PercentilesStayWithinTheStatedRelativeError) {
    std::mt19937_64 random(14);
    std::lognormal_distribution<double> spread(std::log(60000.0), 0.6);
    std::vector<std::uint64_t> samples;
    LatencyHistogram histogram;
    for (int i = 0; i < 200000; ++i) {
        const auto v = static_cast<std::uint64_t>(spread(random)) + (i % 1000 == 0 ? 5000000 : 0);
        samples.push_back(v);
        histogram.record(v);
    }
    std::sort(samples.begin(), samples.end());
    for (double q : {0.0, 0.5, 0.9, 0.99, 0.999, 1.0}) {
        const auto rank = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(q * samples.size())));
        const double truth = static_cast<double>(samples[rank - 1]);
        EXPECT_LE(std::abs(histogram.percentile(q) - truth) / truth, LatencyHistogram::kRelativeError) << q;
    }
    EXPECT_EQ(histogram.max(), samples.back());
    EXPECT_EQ(histogram.count(), samples.size());
}

TEST(BenchLatency, SmallValuesAreExactAndMergingAddsCounts) {
    LatencyHistogram a;
    LatencyHistogram b;
    for (std::uint64_t v = 1; v <= 100; ++v) (v % 2 ? a : b).record(v);
    a.merge(b);
    EXPECT_EQ(a.count(), 100u);
    EXPECT_DOUBLE_EQ(a.percentile(0.5), 50);
    EXPECT_DOUBLE_EQ(a.percentile(0.99), 99);
    EXPECT_EQ(a.max(), 100u);
    a.clear();
    EXPECT_EQ(a.count(), 0u);
    EXPECT_EQ(a.percentile(0.5), 0);
}

}  // namespace
}  // namespace sslfeatures::bench
