// The certificate library (src/tls/pki.hpp) as other TLS tests will use it:
// expired, not-yet-valid, wrong-name and wrong-CA certificates, each judged
// by the openssl command-line tool rather than by the library that made it.
#include <gtest/gtest.h>

#include <ctime>

#include <chrono>
#include <openssl/x509.h>

#include "util/error.hpp"
#include "support/openssl_cli.hpp"
#include "support/process.hpp"
#include "tls/pki.hpp"

namespace sslfeatures::testing {
namespace {

using namespace std::chrono_literals;
using tls::Issued;
using tls::KeyType;
using tls::Validity;

// The PEM files of certificates, in a directory of their own.
class Files {
  public:
    std::string cert(const std::string& name, const Issued& issued) {
        const std::string path = dir_.path() + "/" + name + ".crt";
        write_file(path, tls::to_pem(issued.cert.get()));
        return path;
    }
    std::string key(const std::string& name, const Issued& issued) {
        const std::string path = dir_.path() + "/" + name + ".key";
        write_file(path, tls::to_pem(issued.key.get()));
        return path;
    }

  private:
    TempDir dir_;
};

// For `openssl verify -attime`: seconds since the epoch.
std::string at(std::chrono::seconds from_now) {
    return std::to_string(std::time(nullptr) + from_now.count());
}

TEST(PkiKeyTypes, NamesRoundTripAndNothingElseParses) {
    std::vector<std::string> names;
    for (KeyType type : tls::kKeyTypes) {
        names.emplace_back(tls::key_type_name(type));
        EXPECT_EQ(tls::parse_key_type(tls::key_type_name(type)), type);
    }
    EXPECT_EQ(names, (std::vector<std::string>{"rsa-2048", "rsa-3072", "rsa-4096", "ecdsa-p256",
                                               "ecdsa-p384", "ed25519"}));
    EXPECT_EQ(tls::key_type_names(), "rsa-2048, rsa-3072, rsa-4096, ecdsa-p256, ecdsa-p384, ed25519");
    for (const char* bad : {"", "rsa", "rsa-1024", "RSA-2048", "ecdsa-p521", "ed448", "rsa-2048 "}) {
        EXPECT_FALSE(tls::parse_key_type(bad)) << bad;
    }
}

TEST(PkiKeys, EachTypeIsWhatOpensslReadsBack) {
    const std::pair<KeyType, std::string> expected[] = {
        {KeyType::rsa2048, "Private-Key: (2048 bit, 2 primes)"},
        {KeyType::rsa3072, "Private-Key: (3072 bit, 2 primes)"},
        {KeyType::rsa4096, "Private-Key: (4096 bit, 2 primes)"},
        {KeyType::ecdsa_p256, "NIST CURVE: P-256"},
        {KeyType::ecdsa_p384, "NIST CURVE: P-384"},
        {KeyType::ed25519, "ED25519 Private-Key:"},
    };
    for (const auto& [type, shown] : expected) {
        EvpPkeyPtr key = tls::generate_key(type);
        ASSERT_TRUE(key);
        const std::string pem = tls::to_pem(key.get());
        EXPECT_EQ(pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u) << "unencrypted PKCS#8";
        // -passin with an empty password: an encrypted key would not load.
        Result r = openssl({"pkey", "-in", "/dev/stdin", "-noout", "-text", "-passin", "pass:"}, pem);
        EXPECT_EQ(r.exit_code, 0) << r.err;
        EXPECT_NE(r.out.find(shown), std::string::npos) << tls::key_type_name(type) << "\n" << r.out;
    }
}

TEST(PkiLeaf, VerifiesForItsNamesAndPurposes) {
    Files files;
    Issued ca = tls::make_ca(KeyType::ecdsa_p256, "test CA");
    Issued leaf = tls::issue_leaf(ca, KeyType::ecdsa_p256, "server", {"a.example", "192.0.2.7"},
                                  Validity{}, true, false);
    const std::string ca_path = files.cert("ca", ca);
    const std::string leaf_path = files.cert("leaf", leaf);
    EXPECT_TRUE(openssl_verify(ca_path, leaf_path, {"-verify_hostname", "a.example"}).ok);
    EXPECT_TRUE(openssl_verify(ca_path, leaf_path, {"-verify_ip", "192.0.2.7"}).ok);
    EXPECT_TRUE(openssl_verify(ca_path, leaf_path, {"-purpose", "sslserver"}).ok);
    // Server only: refused as a client certificate.
    Verdict as_client = openssl_verify(ca_path, leaf_path, {"-purpose", "sslclient"});
    EXPECT_FALSE(as_client.ok) << as_client.text;
    EXPECT_NE(as_client.text.find("certificate purpose"), std::string::npos)
        << as_client.text;
    EXPECT_EQ(x509_text(leaf_path).find("TLS Web Client Authentication"), std::string::npos);
}

TEST(PkiLeaf, ClientOnlyLeafIsNoServer) {
    Files files;
    Issued ca = tls::make_ca(KeyType::ecdsa_p256, "test CA");
    Issued leaf =
        tls::issue_leaf(ca, KeyType::ecdsa_p256, "alice", {"alice.example"}, Validity{}, false, true);
    const std::string ca_path = files.cert("ca", ca);
    const std::string leaf_path = files.cert("leaf", leaf);
    EXPECT_TRUE(openssl_verify(ca_path, leaf_path, {"-purpose", "sslclient"}).ok);
    Verdict as_server = openssl_verify(ca_path, leaf_path, {"-purpose", "sslserver"});
    EXPECT_FALSE(as_server.ok) << as_server.text;
    EXPECT_NE(as_server.text.find("certificate purpose"), std::string::npos)
        << as_server.text;
}

TEST(PkiLeaf, ALeafNeedsAUse) {
    Issued ca = tls::make_ca(KeyType::ecdsa_p256, "test CA");
    try {
        tls::issue_leaf(ca, KeyType::ecdsa_p256, "nobody", {}, Validity{}, false, false);
        ADD_FAILURE() << "a leaf for neither server nor client was made";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), kUsage);
    }
}

TEST(PkiLeaf, ExpiredLeafIsRefusedAsExpired) {
    Files files;
    Issued ca = tls::make_ca(KeyType::ecdsa_p256, "test CA", Validity{-72h, 24h});
    Issued leaf = tls::issue_leaf(ca, KeyType::ecdsa_p256, "old", {"old.example"},
                                  Validity{-48h, -24h}, true, false);
    EXPECT_LT(ASN1_TIME_cmp_time_t(X509_get0_notAfter(leaf.cert.get()), std::time(nullptr)), 0);
    const std::string ca_path = files.cert("ca", ca);
    const std::string leaf_path = files.cert("leaf", leaf);
    Verdict now = openssl_verify(ca_path, leaf_path);
    EXPECT_FALSE(now.ok);
    EXPECT_NE(now.text.find("certificate has expired"), std::string::npos) << now.text;
    // Inside its window the same pair verifies, so the refusal is about time.
    EXPECT_TRUE(openssl_verify(ca_path, leaf_path, {"-attime", at(-36h)}).ok);
}

TEST(PkiLeaf, NotYetValidLeafIsRefusedAsNotYetValid) {
    Files files;
    Issued ca = tls::make_ca(KeyType::ecdsa_p256, "test CA", Validity{-1h, 72h});
    Issued leaf = tls::issue_leaf(ca, KeyType::ecdsa_p256, "future", {"future.example"},
                                  Validity{24h, 48h}, true, false);
    EXPECT_GT(ASN1_TIME_cmp_time_t(X509_get0_notBefore(leaf.cert.get()), std::time(nullptr)), 0);
    const std::string ca_path = files.cert("ca", ca);
    const std::string leaf_path = files.cert("leaf", leaf);
    Verdict now = openssl_verify(ca_path, leaf_path);
    EXPECT_FALSE(now.ok);
    EXPECT_NE(now.text.find("certificate is not yet valid"), std::string::npos) << now.text;
    EXPECT_TRUE(openssl_verify(ca_path, leaf_path, {"-attime", at(36h)}).ok);
}

TEST(PkiLeaf, ValidityOffsetsAreWhatOpensslReads) {
    Files files;
    const std::time_t now = std::time(nullptr);
    Issued ca = tls::make_ca(KeyType::ecdsa_p256, "test CA", Validity{-2h, 3h});
    Result r = openssl({"x509", "-in", files.cert("ca", ca), "-noout", "-startdate", "-enddate"});
    const auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 2u) << r.out << r.err;
    EXPECT_NEAR(static_cast<double>(*parse_openssl_time(lines[0]) - now), -7200.0, 60.0);
    EXPECT_NEAR(static_cast<double>(*parse_openssl_time(lines[1]) - now), 10800.0, 60.0);

    // The default starts an hour back, for peers whose clocks lag.
    Issued defaults = tls::make_ca(KeyType::ecdsa_p256, "test CA");
    r = openssl({"x509", "-in", files.cert("defaults", defaults), "-noout", "-startdate", "-enddate"});
    const auto dl = lines_of(r.out);
    ASSERT_EQ(dl.size(), 2u) << r.out << r.err;
    EXPECT_NEAR(static_cast<double>(*parse_openssl_time(dl[0]) - now), -3600.0, 60.0);
    EXPECT_NEAR(static_cast<double>(*parse_openssl_time(dl[1]) - now), 365.0 * 86400, 60.0);
}

TEST(PkiLeaf, LeafForAnotherNameFailsTheHostCheck) {
    Files files;
    Issued ca = tls::make_ca(KeyType::ecdsa_p256, "test CA");
    Issued leaf = tls::issue_leaf(ca, KeyType::ecdsa_p256, "localhost", {"other.example"},
                                  Validity{}, true, false);
    const std::string ca_path = files.cert("ca", ca);
    const std::string leaf_path = files.cert("leaf", leaf);
    // The CN says localhost, but with a subjectAltName present the CN is not
    // a name the certificate is for.
    Verdict v = openssl_verify(ca_path, leaf_path, {"-verify_hostname", "localhost"});
    EXPECT_FALSE(v.ok);
    EXPECT_NE(v.text.find("hostname mismatch"), std::string::npos) << v.text;
    EXPECT_TRUE(openssl_verify(ca_path, leaf_path, {"-verify_hostname", "other.example"}).ok);
}

TEST(PkiLeaf, LeafFromAnotherCaHasNoIssuer) {
    Files files;
    // The same CA name on purpose: only the keys tell these CAs apart.
    Issued ca = tls::make_ca(KeyType::ecdsa_p256, "test CA");
    Issued other_ca = tls::make_ca(KeyType::ecdsa_p256, "test CA");
    Issued leaf = tls::issue_leaf(other_ca, KeyType::ecdsa_p256, "localhost", {"localhost"});
    const std::string leaf_path = files.cert("leaf", leaf);
    Verdict v = openssl_verify(files.cert("ca", ca), leaf_path);
    EXPECT_FALSE(v.ok);
    EXPECT_NE(v.text.find("unable to get local issuer certificate"), std::string::npos) << v.text;
    EXPECT_TRUE(openssl_verify(files.cert("other-ca", other_ca), leaf_path).ok);
}

TEST(PkiLeaf, KeyIdentifiersLinkTheLeafToItsCa) {
    Files files;
    Issued ca = tls::make_ca(KeyType::ecdsa_p256, "test CA");
    Issued leaf = tls::issue_leaf(ca, KeyType::ecdsa_p256, "localhost", {"localhost"});
    const auto ski = extension(x509_text(files.cert("ca", ca)), "X509v3 Subject Key Identifier");
    const auto aki = extension(x509_text(files.cert("leaf", leaf)), "X509v3 Authority Key Identifier");
    ASSERT_TRUE(ski && aki);
    std::string keyid = aki->value;
    if (keyid.rfind("keyid:", 0) == 0) keyid.erase(0, 6);  // how OpenSSL 1.1.1 prints it
    EXPECT_EQ(keyid, ski->value);
    EXPECT_EQ(ski->value.size(), 59u) << "a 20-byte SHA-1 identifier: " << ski->value;
}

TEST(PkiLeaf, SubjectAltNamesByTypeWithoutDuplicates) {
    Files files;
    Issued ca = tls::make_ca(KeyType::ecdsa_p256, "test CA");
    Issued leaf = tls::issue_leaf(
        ca, KeyType::ecdsa_p256, "multi",
        {"a.example", "192.0.2.1", "2001:db8::1", "*.wild.example", "192.0.2.1",
         "2001:DB8:0:0:0:0:0:1", "A.Example", "::ffff:192.0.2.9", "xn--bcher-kva.example"});
    const std::string text = x509_text(files.cert("leaf", leaf));
    EXPECT_EQ(san_entries(text),
              (std::vector<std::string>{"DNS:a.example", "IP:192.0.2.1", "IP:2001:db8::1",
                                        "DNS:*.wild.example", "IP:::ffff:192.0.2.9",
                                        "DNS:xn--bcher-kva.example"}))
        << text;
    EXPECT_NE(text.find("Subject: CN = multi"), std::string::npos) << text;
}

TEST(PkiLeaf, NamesThatAreNeitherDnsNorIpAreRefused) {
    Issued ca = tls::make_ca(KeyType::ecdsa_p256, "test CA");
    // RFC 1123 host names, RFC 6125 wildcards (whole leftmost label, over
    // two labels or more), and dotted-quad or IPv6 addresses: nothing else.
    for (const std::string& bad : std::vector<std::string>{"a,IP:1.2.3.4", "", "two words", "a..b", ".a", "a.", "*",
                                  "a.*.b", "fe80::1%eth0", "1.2.3.4/24", "x\n", "999.1.1.1", "1.2.3",
                                  "01.02.03.04", "example.123", "-bad.example", "bad-.example",
                                  "under_score.example", "*.com", "*.*.example", "w*.example.com",
                                  std::string(64, 'a') + ".example"}) {
        EXPECT_FALSE(tls::is_valid_san_name(bad)) << bad;
        try {
            tls::issue_leaf(ca, KeyType::ecdsa_p256, "x", {bad});
            ADD_FAILURE() << "accepted '" << bad << "'";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), kUsage) << e.what();
        }
    }
    for (const std::string& good : std::vector<std::string>{"localhost", "a.b-c.example", "*.b-c.example", "127.0.0.1", "::1",
                                   "1password.example", "123.example", std::string(63, 'a') + ".example"}) {
        EXPECT_TRUE(tls::is_valid_san_name(good)) << good;
    }
}

TEST(PkiLeaf, SerialNumbersArePositive159BitAndDistinct) {
    Files files;
    Issued ca = tls::make_ca(KeyType::ecdsa_p256, "test CA");
    std::vector<std::string> serials;
    for (int i = 0; i < 3; ++i) {
        Issued leaf = tls::issue_leaf(ca, KeyType::ecdsa_p256, "s", {"s.example"});
        Result r = openssl({"x509", "-in", files.cert("leaf" + std::to_string(i), leaf), "-noout",
                            "-serial"});
        ASSERT_EQ(r.out.rfind("serial=", 0), 0u) << r.out;
        const std::string hex = trimmed(r.out.substr(7));
        // 40 hex digits whose first is 4..7: exactly 159 bits, so the
        // DER integer needs no sign octet and stays within 20 octets.
        EXPECT_EQ(hex.size(), 40u) << hex;
        EXPECT_TRUE(hex[0] >= '4' && hex[0] <= '7') << hex;
        serials.push_back(hex);
    }
    EXPECT_NE(serials[0], serials[1]);
    EXPECT_NE(serials[1], serials[2]);
    EXPECT_NE(serials[0], serials[2]);
}

TEST(PkiSelfSigned, IsItsOwnAnchorButNoCa) {
    Files files;
    Issued self = tls::make_self_signed_leaf(KeyType::ecdsa_p256, "localhost", {"localhost", "::1"});
    const std::string path = files.cert("self", self);
    Verdict v = openssl_verify(path, path, {"-purpose", "sslserver", "-verify_hostname", "localhost"});
    EXPECT_TRUE(v.ok) << v.text;
    const std::string text = x509_text(path);
    EXPECT_NE(text.find("Issuer: CN = localhost"), std::string::npos) << text;
    EXPECT_EQ(extension(text, "X509v3 Basic Constraints")->value, "CA:FALSE");
    EXPECT_EQ(extension(text, "X509v3 Extended Key Usage")->value, "TLS Web Server Authentication");
    // Trusted directly, it still cannot vouch for another certificate.
    Issued child = tls::issue_leaf(self, KeyType::ecdsa_p256, "child", {"child.example"});
    Verdict c = openssl_verify(path, files.cert("child", child));
    EXPECT_FALSE(c.ok) << c.text;
    // A self-signed leaf trusted nowhere is refused as self-signed.
    Issued stranger = tls::make_self_signed_leaf(KeyType::ecdsa_p256, "localhost", {"localhost"});
    Verdict s = openssl_verify(files.cert("stranger", stranger), path);
    EXPECT_FALSE(s.ok);
    EXPECT_NE(s.text.find("self-signed certificate"), std::string::npos) << s.text;
}

TEST(PkiSigning, EveryKeyTypeSignsWithSha256OrPureEd25519) {
    Files files;
    for (KeyType type : {KeyType::rsa2048, KeyType::ecdsa_p384, KeyType::ed25519}) {
        Issued ca = tls::make_ca(type, "test CA");
        Issued leaf = tls::issue_leaf(ca, type, "localhost", {"localhost"});
        const std::string name(tls::key_type_name(type));
        const std::string ca_path = files.cert(name + "-ca", ca);
        const std::string leaf_path = files.cert(name + "-leaf", leaf);
        EXPECT_TRUE(openssl_verify(ca_path, leaf_path).ok) << name;
        const std::string text = x509_text(leaf_path);
        const std::string algorithm = type == KeyType::rsa2048      ? "sha256WithRSAEncryption"
                                      : type == KeyType::ecdsa_p384 ? "ecdsa-with-SHA256"
                                                                    : "ED25519";
        EXPECT_NE(text.find("Signature Algorithm: " + algorithm + "\n"), std::string::npos)
            << name << "\n" << text;
        // The key written out belongs to the certificate.
        Result from_key = openssl({"pkey", "-in", files.key(name + "-leaf", leaf), "-pubout"});
        Result from_cert = openssl({"x509", "-in", leaf_path, "-noout", "-pubkey"});
        EXPECT_EQ(from_key.out, from_cert.out) << name;
        EXPECT_FALSE(from_key.out.empty());
    }
}

}  // namespace
}  // namespace sslfeatures::testing
