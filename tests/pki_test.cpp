// `sslfeatures pki DIR`, judged from outside: the openssl command-line tool
// reads, verifies and uses what the command wrote, down to a real handshake
// between `openssl s_server` and `openssl s_client` over loopback.
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <filesystem>
#include <map>
#include <memory>
#include <sys/stat.h>

#include "support/openssl_cli.hpp"
#include "support/expect.hpp"
#include "support/process.hpp"

namespace sslfeatures::testing {
namespace {

using namespace std::chrono_literals;

unsigned mode_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return 0;
    return st.st_mode & 07777;
}

std::size_t entries_in(const std::string& dir) {
    return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir),
                                                  std::filesystem::directory_iterator()));
}

std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos;
         at = text.find(needle, at + 1)) {
        ++n;
    }
    return n;
}

// Runs `pki` and stops the test unless it succeeded.
void make_pki(const std::string& dir, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"pki", dir};
    args.insert(args.end(), extra.begin(), extra.end());
    Result r = run_tool(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_EQ(r.err, "");
}

void expect_verifies(const std::string& dir, std::vector<std::string> extra = {}) {
    const Verdict v = openssl_verify(dir + "/ca.crt", dir + "/localhost.pem", extra);
    EXPECT_TRUE(v.ok) << v.text;
    EXPECT_EQ(v.text, dir + "/localhost.pem: OK\n");
}

void expect_rejected(const std::string& dir, std::vector<std::string> extra,
                     const std::string& reason) {
    const Verdict v = openssl_verify(dir + "/ca.crt", dir + "/localhost.pem", extra);
    EXPECT_FALSE(v.ok) << v.text;
    EXPECT_NE(v.text.find(reason), std::string::npos) << v.text;
}

std::string public_key_of_cert(const std::string& path) {
    Result r = openssl({"x509", "-in", path, "-pubkey", "-noout"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
}

std::string public_key_of_key(const std::string& path) {
    // No passphrase on stdin: an encrypted key would fail here.
    Result r = openssl({"pkey", "-in", path, "-pubout", "-passin", "pass:"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
}

TEST(Pki, WritesTheThreeFilesWithTheirModesAndSaysSo) {
    TempDir tmp;
    const std::string dir = tmp.path() + "/new/certs";
    Result r = run_tool({"pki", dir, "--key", "ecdsa-p256"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(r.out, "wrote " + dir + "/ca.crt\nwrote " + dir + "/ca.key\nwrote " + dir +
                         "/localhost.pem\n");
    EXPECT_EQ(mode_of(dir + "/ca.crt"), 0644u);
    EXPECT_EQ(mode_of(dir + "/ca.key"), 0600u);
    EXPECT_EQ(mode_of(dir + "/localhost.pem"), 0600u);
    EXPECT_EQ(mode_of(tmp.path() + "/new"), 0755u);
    EXPECT_EQ(mode_of(dir), 0755u);
    EXPECT_EQ(entries_in(dir), 3u) << "no temporary file left behind";

    const std::string ca_crt = read_file(dir + "/ca.crt");
    EXPECT_EQ(ca_crt.rfind("-----BEGIN CERTIFICATE-----\n", 0), 0u) << ca_crt;
    EXPECT_EQ(count_of(ca_crt, "-----BEGIN"), 1u);
    const std::string ca_key = read_file(dir + "/ca.key");
    EXPECT_EQ(ca_key.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u) << "unencrypted PKCS#8";
    // localhost.pem: the certificate, then its key, nothing else.
    const std::string pem = read_file(dir + "/localhost.pem");
    EXPECT_EQ(pem.rfind("-----BEGIN CERTIFICATE-----\n", 0), 0u);
    EXPECT_EQ(count_of(pem, "-----BEGIN"), 2u);
    const std::size_t key_at = pem.find("-----BEGIN PRIVATE KEY-----\n");
    ASSERT_NE(key_at, std::string::npos);
    EXPECT_EQ(pem.substr(key_at - 26, 26), "-----END CERTIFICATE-----\n");
    EXPECT_EQ(pem.substr(pem.size() - 26), "-----END PRIVATE KEY-----\n");
}

TEST(Pki, TheLeafVerifiesAgainstTheCaAsServerAndAsClient) {
    TempDir tmp;
    make_pki(tmp.path(), {"--key", "ecdsa-p256"});
    const std::string& dir = tmp.path();
    expect_verifies(dir);
    expect_verifies(dir, {"-purpose", "sslserver"});
    expect_verifies(dir, {"-purpose", "sslclient"});
    expect_verifies(dir, {"-verify_hostname", "localhost"});
    expect_verifies(dir, {"-verify_ip", "127.0.0.1"});
    expect_verifies(dir, {"-verify_ip", "::1"});
    // The name checks are live: another name or address is refused.
    expect_rejected(dir, {"-verify_hostname", "example.com"}, "hostname mismatch");
    expect_rejected(dir, {"-verify_ip", "127.0.0.2"}, "IP address mismatch");
    // The CA is its own anchor.
    const Verdict v = openssl_verify(dir + "/ca.crt", dir + "/ca.crt");
    EXPECT_TRUE(v.ok) << v.text;
}

TEST(Pki, CertificatesFollowTheCaAndLeafProfiles) {
    TempDir tmp;
    make_pki(tmp.path(), {"--key", "ecdsa-p256"});
    const std::string ca = x509_text(tmp.path() + "/ca.crt");
    const std::string leaf = x509_text(tmp.path() + "/localhost.pem");
    for (const std::string* text : {&ca, &leaf}) {
        EXPECT_NE(text->find("Version: 3 (0x2)"), std::string::npos) << *text;
        EXPECT_TRUE(extension(*text, "X509v3 Subject Key Identifier")) << *text;
    }
    auto bc = extension(ca, "X509v3 Basic Constraints");
    ASSERT_TRUE(bc);
    EXPECT_TRUE(bc->critical);
    EXPECT_EQ(bc->value, "CA:TRUE");
    auto ku = extension(ca, "X509v3 Key Usage");
    ASSERT_TRUE(ku);
    EXPECT_TRUE(ku->critical);
    EXPECT_EQ(ku->value, "Certificate Sign, CRL Sign");

    bc = extension(leaf, "X509v3 Basic Constraints");
    ASSERT_TRUE(bc);
    EXPECT_EQ(bc->value, "CA:FALSE");
    ku = extension(leaf, "X509v3 Key Usage");
    ASSERT_TRUE(ku);
    EXPECT_TRUE(ku->critical);
    EXPECT_EQ(ku->value, "Digital Signature");
    auto eku = extension(leaf, "X509v3 Extended Key Usage");
    ASSERT_TRUE(eku);
    EXPECT_EQ(eku->value, "TLS Web Server Authentication, TLS Web Client Authentication");
    EXPECT_TRUE(extension(leaf, "X509v3 Authority Key Identifier"));

    Result subject = openssl({"x509", "-in", tmp.path() + "/localhost.pem", "-noout", "-subject"});
    EXPECT_EQ(subject.out, "subject=CN = localhost\n");
}

TEST(Pki, SubjectAltNamesHoldTheDefaultsThenEachName) {
    TempDir tmp;
    // localhost and 0::1 repeat defaults and must not appear twice.
    make_pki(tmp.path(), {"--key", "ecdsa-p256", "--name", "example.test", "--name", "10.1.2.3",
                          "--name", "2001:db8::5", "--name", "localhost", "--name", "0::1",
                          "--name", "*.wild.test"});
    Result r = openssl({"x509", "-in", tmp.path() + "/localhost.pem", "-noout", "-ext",
                        "subjectAltName"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // OpenSSL 3.0 prints ::1 as "IP Address:0:0:0:0:0:0:0:1"; san_entries
    // shortens addresses so the comparison holds for any release.
    EXPECT_EQ(san_entries(r.out),
              (std::vector<std::string>{"DNS:localhost", "IP:127.0.0.1", "IP:::1",
                                        "DNS:example.test", "IP:10.1.2.3", "IP:2001:db8::5",
                                        "DNS:*.wild.test"}))
        << r.out;
    expect_verifies(tmp.path(), {"-verify_hostname", "example.test"});
    expect_verifies(tmp.path(), {"-verify_hostname", "a.wild.test"});
    expect_verifies(tmp.path(), {"-verify_ip", "2001:db8::5"});
}

struct KeyCase {
    std::string name;
    std::string algorithm;  // as `openssl x509 -text` prints it
    std::string size;       // "" when openssl prints none
    std::string signature;
    bool rsa;
};

std::ostream& operator<<(std::ostream& os, const KeyCase& c) {
    return os << c.name;
}

const KeyCase kKeyCases[] = {
    {"rsa-2048", "rsaEncryption", "Public-Key: (2048 bit)", "sha256WithRSAEncryption", true},
    {"rsa-3072", "rsaEncryption", "Public-Key: (3072 bit)", "sha256WithRSAEncryption", true},
    {"rsa-4096", "rsaEncryption", "Public-Key: (4096 bit)", "sha256WithRSAEncryption", true},
    {"ecdsa-p256", "id-ecPublicKey", "Public-Key: (256 bit)", "ecdsa-with-SHA256", false},
    {"ecdsa-p384", "id-ecPublicKey", "Public-Key: (384 bit)", "ecdsa-with-SHA256", false},
    {"ed25519", "ED25519", "", "ED25519", false},
};

// One PKI per key type, shared by the tests below: RSA-4096 keys are slow.
const std::string& pki_for(const std::string& key) {
    static std::map<std::string, std::unique_ptr<TempDir>> made;
    auto& slot = made[key];
    if (!slot) {
        slot = std::make_unique<TempDir>();
        make_pki(slot->path(), {"--key", key});
    }
    return slot->path();
}

class PkiKeyType : public ::testing::TestWithParam<KeyCase> {};

TEST_P(PkiKeyType, BothCertificatesCarryTheKeyTypeAndSize) {
    const KeyCase& c = GetParam();
    const std::string& dir = pki_for(c.name);
    for (const std::string file : {"/ca.crt", "/localhost.pem"}) {
        const std::string text = x509_text(dir + file);
        EXPECT_NE(text.find("Public Key Algorithm: " + c.algorithm + "\n"), std::string::npos)
            << file << "\n" << text;
        if (!c.size.empty()) {
            EXPECT_NE(text.find(c.size), std::string::npos) << file;
        }
        EXPECT_NE(text.find("Signature Algorithm: " + c.signature + "\n"), std::string::npos)
            << file;
    }
    if (c.name == "ecdsa-p256") {
        EXPECT_NE(x509_text(dir + "/localhost.pem").find("NIST CURVE: P-256"), std::string::npos);
    }
    if (c.name == "ecdsa-p384") {
        EXPECT_NE(x509_text(dir + "/localhost.pem").find("NIST CURVE: P-384"), std::string::npos);
    }
    auto ku = extension(x509_text(dir + "/localhost.pem"), "X509v3 Key Usage");
    ASSERT_TRUE(ku);
    EXPECT_EQ(ku->value, c.rsa ? "Digital Signature, Key Encipherment" : "Digital Signature");
}

TEST_P(PkiKeyType, EachKeyMatchesItsCertificate) {
    const std::string& dir = pki_for(GetParam().name);
    const std::string leaf_key = public_key_of_key(dir + "/localhost.pem");
    EXPECT_EQ(leaf_key.rfind("-----BEGIN PUBLIC KEY-----", 0), 0u) << leaf_key;
    EXPECT_EQ(leaf_key, public_key_of_cert(dir + "/localhost.pem"));
    const std::string ca_key = public_key_of_key(dir + "/ca.key");
    EXPECT_EQ(ca_key, public_key_of_cert(dir + "/ca.crt"));
    EXPECT_NE(ca_key, leaf_key) << "the CA and the leaf have keys of their own";
    expect_verifies(dir, {"-verify_hostname", "localhost"});
}

// s_server presents localhost.pem and demands a client certificate that
// chains to ca.crt; s_client presents the same file and checks the server's
// certificate and host name against ca.crt. Both sides must succeed.
void expect_handshake(const std::string& dir, const std::string& version) {
    const std::string pem = dir + "/localhost.pem";
    const std::string ca = dir + "/ca.crt";
    // -accept 127.0.0.1:0 lets the kernel pick a free port; s_server prints
    // it as "ACCEPT 127.0.0.1:PORT".
    Background server({"timeout", "30", "openssl", "s_server", "-accept", "127.0.0.1:0",
                       "-naccept", "1", "-cert", pem, "-key", pem, "-CAfile", ca, "-Verify", "1",
                       "-verify_return_error", version});
    const std::string port = server.wait_for(std::regex("ACCEPT [^\n]*:(\\d+)\n"), 15s);
    ASSERT_FALSE(port.empty()) << server.output();

    Result client = openssl({"s_client", "-connect", "127.0.0.1:" + port, "-CAfile", ca,
                             "-verify_return_error", "-verify_hostname", "localhost", "-cert", pem,
                             "-key", pem, version});
    Result served;
    served.exit_code = server.wait(15s);
    served.out = server.output();
    EXPECT_EQ(client.exit_code, 0) << client.out << client.err;
    EXPECT_NE(client.out.find("Verify return code: 0 (ok)"), std::string::npos) << client.out;
    const std::string protocol = version == "-tls1_3" ? "TLSv1.3" : "TLSv1.2";
    EXPECT_NE(client.out.find(protocol), std::string::npos) << client.out;
    // The server saw and accepted our certificate as a client certificate.
    EXPECT_NE(served.out.find("Client certificate"), std::string::npos) << served.out;
    EXPECT_NE(served.out.find("subject=CN = localhost"), std::string::npos) << served.out;
    EXPECT_EQ(served.exit_code, 0) << served.out;
}

TEST_P(PkiKeyType, OpenSslServerAndClientHandshakeWithTheseFiles) {
    const std::string& dir = pki_for(GetParam().name);
    for (const std::string version : {"-tls1_3", "-tls1_2"}) {
        SCOPED_TRACE(version);
        expect_handshake(dir, version);
    }
}

INSTANTIATE_TEST_SUITE_P(EveryKeyType, PkiKeyType, ::testing::ValuesIn(kKeyCases),
                         [](const auto& info) {
                             std::string name = info.param.name;
                             for (char& ch : name) {
                                 if (ch == '-') ch = '_';
                             }
                             return name;
                         });

TEST(Pki, DefaultKeyIsRsa2048) {
    TempDir tmp;
    make_pki(tmp.path());
    const std::string text = x509_text(tmp.path() + "/localhost.pem");
    EXPECT_NE(text.find("Public Key Algorithm: rsaEncryption"), std::string::npos) << text;
    EXPECT_NE(text.find("Public-Key: (2048 bit)"), std::string::npos) << text;
}

// Both dates, read back by openssl, against the clock around the run.
void expect_validity(const std::string& dir, long days, const std::string& days_text) {
    const std::time_t before = std::time(nullptr);
    make_pki(dir, {"--key", "ecdsa-p256", "--days", days_text});
    const std::time_t after = std::time(nullptr);
    for (const std::string file : {"/ca.crt", "/localhost.pem"}) {
        Result r = openssl({"x509", "-in", dir + file, "-noout", "-startdate", "-enddate"});
        ASSERT_EQ(r.exit_code, 0) << r.err;
        const auto lines = lines_of(r.out);
        ASSERT_EQ(lines.size(), 2u) << r.out;
        const auto start = parse_openssl_time(lines[0]);
        const auto end = parse_openssl_time(lines[1]);
        ASSERT_TRUE(start && end) << r.out;
        EXPECT_GE(*start, before - 3600 - 60) << r.out;
        EXPECT_LE(*start, after - 3600 + 60) << r.out;
        EXPECT_GE(*end, before + days * 86400 - 60) << file << " --days " << days << ": " << r.out;
        EXPECT_LE(*end, after + days * 86400 + 60) << file << " --days " << days << ": " << r.out;
    }
}

TEST(Pki, ValidityFollowsDays) {
    for (long days : {1L, 30L, 36500L}) {
        TempDir tmp;
        expect_validity(tmp.path(), days, std::to_string(days));
    }
    // Leading zeros are decimal, as a person means them (not octal: 8 days).
    TempDir zeros;
    expect_validity(zeros.path(), 10, "010");
    // And without --days, 365 days.
    TempDir tmp;
    const std::time_t before = std::time(nullptr);
    make_pki(tmp.path(), {"--key", "ecdsa-p256"});
    Result r = openssl({"x509", "-in", tmp.path() + "/localhost.pem", "-noout", "-enddate"});
    const auto end = parse_openssl_time(trimmed(r.out));
    ASSERT_TRUE(end) << r.out;
    EXPECT_NEAR(static_cast<double>(*end - before), 365.0 * 86400, 60.0);
}

TEST(Pki, ExistingFilesAreKeptWithoutForce) {
    TempDir tmp;
    const std::string& dir = tmp.path();
    make_pki(dir, {"--key", "ecdsa-p256"});
    const std::string files[] = {"ca.crt", "ca.key", "localhost.pem"};
    std::map<std::string, std::string> before;
    for (const std::string& f : files) before[f] = read_file(dir + "/" + f);

    expect_usage_error({"pki", dir, "--key", "ecdsa-p256"}, "--force");
    expect_usage_error({"pki", dir}, dir + "/ca.crt");
    for (const std::string& f : files) EXPECT_EQ(read_file(dir + "/" + f), before[f]) << f;

    // Any one of them is enough to refuse, and nothing else is written.
    for (const std::string& keep : files) {
        TempDir other;
        write_file(other.path() + "/" + keep, "mine\n");
        expect_usage_error({"pki", other.path(), "--key", "ecdsa-p256"},
                           "'" + other.path() + "/" + keep + "'");
        EXPECT_EQ(read_file(other.path() + "/" + keep), "mine\n");
        EXPECT_EQ(entries_in(other.path()), 1u) << keep;
    }
}

TEST(Pki, ForceReplacesAllThreeFiles) {
    TempDir tmp;
    const std::string& dir = tmp.path();
    make_pki(dir, {"--key", "ecdsa-p256"});
    const std::string old_ca = dir + "/old-ca.crt";
    write_file(old_ca, read_file(dir + "/ca.crt"));
    std::map<std::string, std::string> before;
    for (const std::string f : {"ca.crt", "ca.key", "localhost.pem"}) {
        before[f] = read_file(dir + "/" + f);
        ::chmod((dir + "/" + f).c_str(), 0666);
    }

    Result r = run_tool({"pki", dir, "--key", "ecdsa-p256", "--force"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(count_of(r.out, "wrote "), 3u) << r.out;
    for (const auto& [f, old] : before) EXPECT_NE(read_file(dir + "/" + f), old) << f;
    // Modes are set afresh, not inherited from the files replaced.
    EXPECT_EQ(mode_of(dir + "/ca.crt"), 0644u);
    EXPECT_EQ(mode_of(dir + "/ca.key"), 0600u);
    EXPECT_EQ(mode_of(dir + "/localhost.pem"), 0600u);
    expect_verifies(dir);
    const Verdict v = openssl_verify(old_ca, dir + "/localhost.pem");
    EXPECT_FALSE(v.ok) << "the new leaf must come from a new CA: " << v.text;
}

TEST(Pki, BadKeyTypeIsOneLineNamingTheChoices) {
    TempDir tmp;
    const std::string dir = tmp.path() + "/out";
    expect_usage_error({"pki", dir, "--key", "rsa-1024"},
                       "'rsa-1024'; valid key types: rsa-2048, rsa-3072, rsa-4096, ecdsa-p256, "
                       "ecdsa-p384, ed25519");
    expect_usage_error({"pki", dir, "--key", "RSA-2048"}, "valid key types");
    expect_usage_error({"pki", dir, "--key"}, "--key");
    EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(Pki, BadDaysIsOneLineNamingTheRange) {
    TempDir tmp;
    const std::string dir = tmp.path() + "/out";
    for (const std::string days : {"0", "36501", "-1", "abc", "1.5", "", "99999999999"}) {
        SCOPED_TRACE(days);
        expect_usage_error({"pki", dir, "--days", days}, "from 1 to 36500");
    }
    expect_usage_error({"pki", dir, "--days=-5"}, "from 1 to 36500");
    EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(Pki, BadNameIsOneLine) {
    TempDir tmp;
    const std::string dir = tmp.path() + "/out";
    // A comma would smuggle a second entry into configuration-style SAN text.
    // Not IP literals (short forms, leading zeros, out of range), not RFC 1123
    // host names, and wildcards over less than two labels.
    for (const std::string name : {"a,IP:1.2.3.4", "", "bad name", "fe80::1%eth0", "a..b", "999.1.1.1", "1.2.3",
                                   "01.02.03.04", "-bad.example", "bad-.example", "*.com", "w*.example.com"}) {
        SCOPED_TRACE(name);
        expect_usage_error({"pki", dir, "--name", name}, "invalid name");
    }
    EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(Pki, DirectoryProblemsAreOneLine) {
    expect_usage_error({"pki"}, "DIR is required");
    expect_usage_error({"pki", ""}, "DIR is empty");
    TempDir tmp;
    const std::string file = tmp.path() + "/plain";
    write_file(file, "x\n");
    expect_usage_error({"pki", file}, "not a directory");
    // /proc refuses new directories even to root: the environment failed.
    Result r = run_tool({"pki", "/proc/sslfeatures-pki-test", "--key", "ecdsa-p256"});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_EQ(count_of(r.err, "\n"), 1u) << r.err;
    EXPECT_NE(r.err.find("/proc/sslfeatures-pki-test"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
}

TEST(Pki, AFileInDirsPathIsNamedAsNotADirectory) {
    TempDir tmp;
    const std::string file = tmp.path() + "/plain";
    write_file(file, "x\n");
    Result r = run_tool({"pki", file + "/sub", "--key", "ecdsa-p256"});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_EQ(count_of(r.err, "\n"), 1u) << r.err;
    EXPECT_NE(r.err.find("'" + file + "' is not a directory"), std::string::npos) << r.err;
    EXPECT_EQ(read_file(file), "x\n");
    EXPECT_EQ(r.out, "");
}

}  // namespace
}  // namespace sslfeatures::testing
