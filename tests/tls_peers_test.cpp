// The client and server against real peers over loopback: OpenSSL's s_server
// and s_client, Python's ssl module and GnuTLS. Certificates come from the
// openssl command-line tool (support/certs), not from our own code.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <regex>
#include <stdexcept>
#include <thread>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/certs.hpp"
#include "support/openssl_cli.hpp"
#include "support/process.hpp"
#include "support/text.hpp"

namespace sslfeatures::testing {
namespace {

using namespace std::chrono_literals;

const std::string kMessage = "Simple is better than complex.";

std::string bin() { return env_or_fail("SSLFEATURES_BIN"); }
std::string python() { return env_or_fail("SF_TEST_PYTHON"); }
const TestCerts& certs() { return TestCerts::get(); }

// Our server on 127.0.0.1 and a port the kernel picks; `port` is what it printed.
struct OurServer {
    explicit OurServer(std::vector<std::string> extra, const std::string& host = "127.0.0.1")
        : proc([&] {
              std::vector<std::string> argv{bin(), "server", host, "0", "-s", certs().localhost};
              argv.insert(argv.end(), extra.begin(), extra.end());
              return argv;
          }()) {
        port = proc.wait_for(std::regex("Listening at interface '[^']*' and port (\\d+)\n"));
    }
    Background proc;
    std::string port;
};

// openssl s_server with -accept 0; `port` from its ACCEPT line.
struct OpensslServer {
    explicit OpensslServer(const std::string& cert, std::vector<std::string> extra = {})
        : proc([&] {
              std::vector<std::string> argv{"openssl", "s_server", "-accept", "0", "-cert", cert, "-naccept", "1"};
              argv.insert(argv.end(), extra.begin(), extra.end());
              return argv;
          }()) {
        port = proc.wait_for(std::regex("ACCEPT .*:(\\d+)\n"));
    }
    Background proc;
    std::string port;
};

Result client(const std::vector<std::string>& args) {
    std::vector<std::string> a{"client"};
    a.insert(a.end(), args.begin(), args.end());
    return run_tool(a);
}

std::string report_value(const std::string& report, const std::string& title) {
    std::smatch m;
    std::regex re(std::regex_replace(title, std::regex(R"([()])"), R"(\$&)") + R"(\.* (.*)\n)");
    return std::regex_search(report, m, re) ? m[1].str() : "<missing " + title + ">";
}

// A failure: the cause's exit code and one line on stderr that names it.
void expect_failure(const Result& r, int code, const std::string& must_mention) {
    EXPECT_EQ(r.exit_code, code) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(must_mention), std::string::npos) << r.err;
}

// --- Interoperability -------------------------------------------------------

TEST(Interop, OurClientTalksToOpensslServerAndReportsWhatItNegotiated) {
    OpensslServer server(certs().localhost);
    ASSERT_FALSE(server.port.empty()) << server.proc.output();
    Result r = client({"localhost", server.port, "-a", certs().ca, "--report"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    server.proc.wait_for(std::regex(kMessage), 5s);
    const std::string log = server.proc.output();
    EXPECT_NE(log.find(kMessage), std::string::npos) << log;
    // s_server names the cipher itself: the report must agree.
    std::smatch m;
    ASSERT_TRUE(std::regex_search(log, m, std::regex("CIPHER is (\\S+)"))) << log;
    EXPECT_EQ(report_value(r.out, "Cipher chosen for this connection"), m[1].str());
    EXPECT_EQ(report_value(r.out, "Protocol version negotiated"), "TLSv1.3");
    EXPECT_EQ(report_value(r.out, "Peer certificate"), "provided");
    EXPECT_EQ(report_value(r.out, "Whether name(s) match the hostname"), "Yes");
    EXPECT_EQ(report_value(r.out, "Server name indication (SNI)"), "localhost");
}

TEST(Interop, OurServerTalksToOpensslClientWhichVerifiesIt) {
    OurServer server({"--once", "--report"});
    ASSERT_FALSE(server.port.empty()) << server.proc.output();
    Result c = run({"openssl", "s_client", "-connect", "127.0.0.1:" + server.port, "-CAfile", certs().ca,
                    "-verify_return_error", "-verify_hostname", "localhost", "-servername", "localhost",
                    "-tls1_2"},
                   kMessage);
    EXPECT_NE(c.out.find("Verify return code: 0 (ok)"), std::string::npos) << c.out << c.err;
    EXPECT_EQ(server.proc.wait(10s), 0) << server.proc.output();
    const std::string log = server.proc.output();
    EXPECT_NE(log.find("b'" + kMessage + "'"), std::string::npos) << log;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(c.out, m, std::regex("Cipher is (\\S+)"))) << c.out;
    EXPECT_EQ(report_value(log, "Cipher chosen for this connection"), m[1].str());
    EXPECT_EQ(report_value(log, "Protocol version negotiated"), "TLSv1.2");
    EXPECT_EQ(report_value(log, "Peer certificate"), "none");
    EXPECT_EQ(log.find("Name(s) on peer certificate"), std::string::npos) << "no names without a certificate";
}

TEST(Interop, PythonClientWithDefaultContextTalksToOurServer) {
    OurServer server({"--once"});
    ASSERT_FALSE(server.port.empty());
    const std::string script =
        "import socket, ssl, sys\n"
        "ctx = ssl.create_default_context(cafile=sys.argv[1])\n"
        "with socket.create_connection(('localhost', int(sys.argv[2]))) as raw:\n"
        "    with ctx.wrap_socket(raw, server_hostname='localhost') as s:\n"
        "        s.sendall(b'Simple is better than complex.')\n"
        "        print(s.version())\n";
    Result py = run({python(), "-c", script, certs().ca, server.port});
    ASSERT_EQ(py.exit_code, 0) << py.err;
    EXPECT_EQ(server.proc.wait(10s), 0);
    // safe_tls.py's transcript, line by line.
    std::vector<std::string> lines = lines_of(server.proc.output());
    ASSERT_EQ(lines.size(), 3u) << server.proc.output();
    EXPECT_EQ(lines[0], "Listening at interface '127.0.0.1' and port " + server.port);
    EXPECT_TRUE(std::regex_match(lines[1], std::regex("Connection from host '127\\.0\\.0\\.1' and port \\d+")));
    EXPECT_EQ(lines[2], "b'Simple is better than complex.'");
}

TEST(Interop, OurClientTalksToPythonServer) {
    const std::string script =
        "import socket, ssl, sys\n"
        "ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)\n"
        "ctx.load_cert_chain(sys.argv[1])\n"
        "ls = socket.socket(); ls.bind(('127.0.0.1', 0)); ls.listen(1)\n"
        "print('port', ls.getsockname()[1], flush=True)\n"
        "raw, addr = ls.accept()\n"
        "s = ctx.wrap_socket(raw, server_side=True)\n"
        "data = b''\n"
        "while True:\n"
        "    chunk = s.recv(1024)\n"
        "    if not chunk: break\n"
        "    data += chunk\n"
        "print(repr(data), s.version(), flush=True)\n";
    Background server({python(), "-c", script, certs().localhost});
    std::string port = server.wait_for(std::regex("port (\\d+)\n"));
    ASSERT_FALSE(port.empty()) << server.output();
    Result r = client({"localhost", port, "-a", certs().ca});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "Connected to host 'localhost' and port " + port + "\n");
    EXPECT_EQ(server.wait(10s), 0) << server.output();
    EXPECT_NE(server.output().find("b'Simple is better than complex.' TLSv1.3"), std::string::npos) << server.output();
}

TEST(Interop, GnutlsClientTalksToOurServer) {
    OurServer server({"--once"});
    ASSERT_FALSE(server.port.empty());
    Result g = run({"gnutls-cli", "--x509cafile", certs().ca, "--port", server.port, "localhost"}, kMessage);
    EXPECT_EQ(server.proc.wait(10s), 0) << server.proc.output() << g.err;
    EXPECT_NE(server.proc.output().find("b'" + kMessage + "'"), std::string::npos) << server.proc.output();
    EXPECT_NE(g.out.find("Handshake was completed"), std::string::npos) << g.out << g.err;
}

TEST(Interop, OurClientTalksToGnutlsServer) {
    // gnutls-serv has no "pick a free port"; use one the kernel just handed us.
    std::string port = std::to_string(free_port());
    Background server({"gnutls-serv", "--echo", "--x509certfile", certs().localhost, "--x509keyfile",
                       certs().localhost, "--port", port});
    ASSERT_FALSE(server.wait_for(std::regex("listening on IPv4 .*done"), 10s).empty()) << server.output();
    Result r = client({"localhost", port, "-a", certs().ca, "--report"});
    EXPECT_EQ(r.exit_code, 0) << r.err << server.output();
    EXPECT_EQ(report_value(r.out, "Peer certificate"), "provided");
}

TEST(Interop, ClientCertificateIsRequiredWhenTheServerHasACa) {
    OurServer server({"-a", certs().ca, "--report"});
    ASSERT_FALSE(server.port.empty());
    Result with = client({"localhost", server.port, "-a", certs().ca, "-c", certs().client});
    EXPECT_EQ(with.exit_code, 0) << with.err;
    server.proc.wait_for(std::regex("client\\.example"), 5s);
    EXPECT_EQ(report_value(server.proc.output(), "Peer certificate"), "provided");
    Result without = client({"localhost", server.port, "-a", certs().ca});
    EXPECT_EQ(without.exit_code, 22) << without.err;
    EXPECT_NE(without.err.find("certificate required"), std::string::npos) << without.err;
    server.proc.wait_for(std::regex("sent no certificate"), 5s);
    EXPECT_NE(server.proc.output().find("sent no certificate"), std::string::npos) << server.proc.output();
}

// TLS 1.2 answers a missing client certificate with handshake_failure, the
// same alert as "no suite in common"; it comes after the ServerHello, when
// the suite is already agreed, so it is the peer refusing us (22), not 21.
TEST(Interop, ATls12ServerAskingForACertificateWeLackRefusesUsAndSaysTryC) {
    OpensslServer theirs(certs().localhost, {"-tls1_2", "-Verify", "1", "-CAfile", certs().ca});
    ASSERT_FALSE(theirs.port.empty()) << theirs.proc.output();
    expect_failure(client({"localhost", theirs.port, "-a", certs().ca}), 22, "try -c");

    OurServer ours({"-a", certs().ca, "-p", "TLSv1.2"});
    ASSERT_FALSE(ours.port.empty());
    expect_failure(client({"localhost", ours.port, "-a", certs().ca}), 22, "asked for a client certificate");
    // With the certificate, the same servers let us in.
    OpensslServer again(certs().localhost, {"-tls1_2", "-Verify", "1", "-CAfile", certs().ca});
    EXPECT_EQ(client({"localhost", again.port, "-a", certs().ca, "-c", certs().client}).exit_code, 0);
}

TEST(Interop, IPv6AndEveryInterface) {
    OurServer server({}, "");
    ASSERT_FALSE(server.port.empty());
    EXPECT_NE(server.proc.output().find("Listening at interface '' and port"), std::string::npos);
    EXPECT_EQ(client({"::1", server.port, "-a", certs().ca}).exit_code, 0);
    EXPECT_EQ(client({"127.0.0.1", server.port, "-a", certs().ca}).exit_code, 0);
    server.proc.wait_for(std::regex("host '::1'[\\s\\S]*host '127.0.0.1'"), 5s);
    EXPECT_NE(server.proc.output().find("Connection from host '::1'"), std::string::npos) << server.proc.output();
}

// --- The peer's signature scheme, by IANA name and code point ------------------

// Server certificates for localhost with other kinds of key, issued by the
// test CA with the openssl command; made once.
class KeyedCerts {
  public:
    static const std::string& get(const std::string& kind) {
        static KeyedCerts certs;
        return certs.pem_.at(kind);
    }

  private:
    KeyedCerts() {
        for (const auto& [kind, genpkey] : std::vector<std::pair<std::string, std::vector<std::string>>>{
                 {"rsa", {"-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"}},
                 {"rsa-pss", {"-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048"}},
                 {"ed25519", {"-algorithm", "ED25519"}},
                 {"ed448", {"-algorithm", "ED448"}},
                 {"p521", {"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"}}}) {
            pem_[kind] = make(kind, genpkey);
        }
        pem_["ec"] = certs().localhost;
    }

    std::string make(const std::string& kind, std::vector<std::string> genpkey) {
        const std::string base = dir_.path() + "/" + kind;
        genpkey.insert(genpkey.begin(), "genpkey");
        genpkey.insert(genpkey.end(), {"-out", base + ".key"});
        write_file(base + ".ext", "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        const std::vector<std::vector<std::string>> steps = {
            genpkey,
            {"req", "-new", "-key", base + ".key", "-subj", "/CN=localhost", "-out", base + ".csr"},
            {"x509", "-req", "-in", base + ".csr", "-CA", certs().ca, "-CAkey", certs().dir + "/testca.key",
             "-CAcreateserial", "-CAserial", base + ".srl", "-days", "30", "-extfile", base + ".ext", "-out",
             base + ".crt"}};
        for (const auto& step : steps) {
            std::vector<std::string> argv{"openssl"};
            argv.insert(argv.end(), step.begin(), step.end());
            const Result r = run(argv);
            if (r.exit_code != 0) throw std::runtime_error("openssl " + step[0] + " failed: " + r.err);
        }
        write_file(base + ".pem", read_file(base + ".crt") + read_file(base + ".key"));
        return base + ".pem";
    }

    TempDir dir_;
    std::map<std::string, std::string> pem_;
};

// What `openssl s_server -trace` or `s_client -trace` says a handshake was
// signed with: "Signature Algorithm: rsa_pss_rsae_sha256 (0x0804)" in its
// CertificateVerify or ServerKeyExchange (certificates' own signature lines
// have no code point).
std::string traced_signature(const std::string& trace) {
    std::smatch m;
    const std::regex line(R"(Signature Algorithm: (\S+ \(0x[0-9a-f]{4}\))\n)");
    return std::regex_search(trace, m, line) ? m[1].str() : "<no signature in the trace>";
}

struct SignatureCase {
    const char* name;
    const char* key;        // "ec", "rsa", "rsa-pss", "ed25519"
    const char* protocol;   // our -p
    const char* sigalgs;    // what the server may sign with (openssl -sigalgs)
    const char* expected;   // the registry's name and code point
};

void PrintTo(const SignatureCase& c, std::ostream* os) { *os << c.name; }

class PeerSignature : public ::testing::TestWithParam<SignatureCase> {};

TEST_P(PeerSignature, IsTheSchemeTheServerWasRestrictedToAndTracedSigning) {
    const SignatureCase& c = GetParam();
    const std::string flag = std::string(c.protocol) == "TLSv1.3" ? "-tls1_3" : "-tls1_2";
    OpensslServer server(KeyedCerts::get(c.key), {flag, "-sigalgs", c.sigalgs, "-trace"});
    ASSERT_FALSE(server.port.empty()) << server.proc.output();
    Result r = client({"localhost", server.port, "-a", certs().ca, "--report", "-p", c.protocol});
    ASSERT_EQ(r.exit_code, 0) << r.err << server.proc.output();
    EXPECT_EQ(report_value(r.out, "Peer signature algorithm"), c.expected);
    server.proc.wait_for(std::regex(kMessage), 5s);
    EXPECT_EQ(traced_signature(server.proc.output()), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Schemes, PeerSignature,
    ::testing::Values(
        SignatureCase{"rsae_tls13", "rsa", "TLSv1.3", "rsa_pss_rsae_sha384", "rsa_pss_rsae_sha384 (0x0805)"},
        SignatureCase{"rsae_tls12", "rsa", "TLSv1.2", "rsa_pss_rsae_sha256", "rsa_pss_rsae_sha256 (0x0804)"},
        SignatureCase{"pkcs1_tls12", "rsa", "TLSv1.2", "rsa_pkcs1_sha512", "rsa_pkcs1_sha512 (0x0601)"},
        SignatureCase{"pss_key_tls13", "rsa-pss", "TLSv1.3", "rsa_pss_pss_sha256", "rsa_pss_pss_sha256 (0x0809)"},
        SignatureCase{"pss_key_tls12", "rsa-pss", "TLSv1.2", "rsa_pss_pss_sha512", "rsa_pss_pss_sha512 (0x080b)"},
        SignatureCase{"ecdsa_tls13", "ec", "TLSv1.3", "ecdsa_secp256r1_sha256", "ecdsa_secp256r1_sha256 (0x0403)"},
        // TLS 1.2 lets a P-256 key sign with SHA-384: the pair names the hash only.
        SignatureCase{"ecdsa_other_hash_tls12", "ec", "TLSv1.2", "ecdsa_secp384r1_sha384",
                      "ecdsa_secp384r1_sha384 (0x0503)"},
        SignatureCase{"ed25519_tls13", "ed25519", "TLSv1.3", "ed25519", "ed25519 (0x0807)"}),
    [](const auto& info) { return std::string(info.param.name); });

// The chain line names the server's key as `openssl x509 -text` describes it,
// in our key vocabulary: algorithm, then size (RSA) or curve (ECDSA).
std::string key_name_from_x509_text(const std::string& pem) {
    const Result r = run({"openssl", "x509", "-noout", "-text", "-in", pem});
    std::smatch algorithm, bits, curve;
    std::regex_search(r.out, algorithm, std::regex(R"(Public Key Algorithm: (\S+))"));
    std::regex_search(r.out, bits, std::regex(R"(Public-Key: \((\d+) bit\))"));
    std::regex_search(r.out, curve, std::regex(R"(NIST CURVE: P-(\d+))"));
    const std::string a = algorithm[1].str();
    if (a == "rsaEncryption") return "rsa-" + bits[1].str();
    if (a == "rsassaPss") return "rsa-pss-" + bits[1].str();
    if (a == "id-ecPublicKey") return "ecdsa-p" + curve[1].str();
    if (a == "ED25519" || a == "ED448") return a == "ED25519" ? "ed25519" : "ed448";
    return "<" + a + " not known to this test>";
}

TEST(ChainKey, IsNamedAsOpensslDescribesTheCertificate) {
    for (const char* kind : {"rsa", "rsa-pss", "ec", "p521", "ed25519", "ed448"}) {
        OpensslServer server(KeyedCerts::get(kind), {});
        ASSERT_FALSE(server.port.empty()) << server.proc.output();
        Result r = client({"localhost", server.port, "-a", certs().ca, "--report", "-f", "json"});
        ASSERT_EQ(r.exit_code, 0) << kind << r.err;
        std::string key = "<no report line>";
        for (const std::string& line : split_nonempty(r.out, '\n')) {
            const auto j = nlohmann::json::parse(line);
            if (j.at("type") == "report") key = j.at("chain").at(0).at("key").get<std::string>();
        }
        EXPECT_EQ(key, key_name_from_x509_text(KeyedCerts::get(kind))) << kind;
    }
}

// TLS 1.0 and 1.1 sign with RSA over MD5 and SHA-1 joined (RFC 4346, 7.4.3):
// no code point exists, and the trace names none.
TEST(PeerSignatureLegacy, Tls11RsaIsMd5Sha1WithoutACodePoint) {
    const std::string cipher = "ECDHE-RSA-AES128-SHA:@SECLEVEL=0";
    OpensslServer server(KeyedCerts::get("rsa"), {"-tls1_1", "-cipher", cipher});
    ASSERT_FALSE(server.port.empty()) << server.proc.output();
    Result r = client({"localhost", server.port, "-a", certs().ca, "--report", "-p", "TLSv1.1", "--cipher", cipher});
    ASSERT_EQ(r.exit_code, 0) << r.err << server.proc.output();
    EXPECT_EQ(report_value(r.out, "Protocol version negotiated"), "TLSv1.1");
    EXPECT_EQ(report_value(r.out, "Peer signature algorithm"), "md5_sha1");
}

// Our server reports the client's CertificateVerify the same way.
TEST(PeerSignatureServer, IsTheSchemeTheClientWasRestrictedToAndTracedSigning) {
    OurServer server({"--once", "--report", "-a", certs().ca});
    ASSERT_FALSE(server.port.empty()) << server.proc.output();
    Result c = run({"openssl", "s_client", "-connect", "127.0.0.1:" + server.port, "-CAfile", certs().ca,
                    "-cert", certs().client, "-tls1_2", "-client_sigalgs", "ecdsa_secp521r1_sha512", "-trace"},
                   kMessage);
    EXPECT_EQ(server.proc.wait(10s), 0) << server.proc.output() << c.err;
    EXPECT_EQ(report_value(server.proc.output(), "Peer signature algorithm"), "ecdsa_secp521r1_sha512 (0x0603)");
    // s_client traces the server's signature first, then its own.
    std::smatch m;
    const std::regex ours(R"(CertificateVerify[^\n]*\n\s*Signature Algorithm: (\S+ \(0x[0-9a-f]{4}\)))");
    ASSERT_TRUE(std::regex_search(c.out, m, ours)) << c.out;
    EXPECT_EQ(m[1].str(), "ecdsa_secp521r1_sha512 (0x0603)");
}

// --- Failures: one line, the cause's exit code -------------------------------

struct CertCase {
    const char* name;
    std::string TestCerts::*cert;
    int code;
    const char* message;
};

class CertificateFailures : public ::testing::TestWithParam<CertCase> {};

TEST_P(CertificateFailures, ClientRefusesWithTheCausesCode) {
    const CertCase& c = GetParam();
    OpensslServer server(certs().*c.cert);
    ASSERT_FALSE(server.port.empty());
    expect_failure(client({"localhost", server.port, "-a", certs().ca}), c.code, c.message);
}

INSTANTIATE_TEST_SUITE_P(
    Causes, CertificateFailures,
    ::testing::Values(CertCase{"wrong_name", &TestCerts::wrong_name, 15, "it is for wrongname, other.example"},
                      CertCase{"unknown_ca", &TestCerts::other_ca, 16, "issued by a CA that is not trusted"},
                      CertCase{"self_signed", &TestCerts::self_signed, 17, "self-signed and not trusted"},
                      CertCase{"expired", &TestCerts::expired, 18, "the certificate has expired"},
                      CertCase{"not_yet_valid", &TestCerts::not_yet, 19, "the certificate is not valid yet"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Failures, InsecureAcceptsAnUntrustedServerButSaysSo) {
    OpensslServer server(certs().self_signed);
    Result r = client({"localhost", server.port, "--insecure"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("NOT verified"), std::string::npos) << r.err;
}

TEST(Failures, ProtocolMismatch) {
    OpensslServer server(certs().localhost, {"-tls1_3"});
    expect_failure(client({"localhost", server.port, "-a", certs().ca, "-p", "TLSv1.2"}), 20, "protocol");
}

TEST(Failures, CipherMismatch) {
    OpensslServer server(certs().localhost, {"-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA"});
    expect_failure(client({"localhost", server.port, "-a", certs().ca}), 21, "cipher");
}

TEST(Failures, ConnectionRefused) {
    expect_failure(client({"127.0.0.1", std::to_string(refused_port())}), 10, "refused");
}

// 192.0.2.1 is TEST-NET-1 (RFC 5737), for documentation: never this machine's.
TEST(Failures, ServerOnAnAddressThatIsNotThisMachinesSaysSo) {
    Result r = run_tool({"server", "192.0.2.1", "0", "-s", certs().localhost});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    ASSERT_EQ(lines_of(r.err).size(), 1u) << r.err;
    EXPECT_NE(r.err.find("'192.0.2.1' is not an address of this machine"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("in use"), std::string::npos) << r.err;
}

TEST(Failures, NameThatDoesNotResolve) {
    expect_failure(client({"no-such-host.invalid", "443"}), 11, "cannot resolve host 'no-such-host.invalid'");
}

// A raw TCP peer on loopback that does one thing, for the failures real TLS
// peers don't produce on demand.
class RawPeer {
  public:
    enum class Mode { silent, close_at_once, http };
    explicit RawPeer(Mode mode) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
        ::listen(fd_, 4);
        socklen_t len = sizeof a;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        if (mode != Mode::silent) {
            thread_ = std::thread([this, mode] {
                int c = ::accept(fd_, nullptr, nullptr);
                if (c < 0) return;
                if (mode == Mode::http) {
                    char buf[1024];
                    ssize_t ignored = ::read(c, buf, sizeof buf);
                    const char reply[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
                    ignored = ::write(c, reply, sizeof reply - 1);
                    (void)ignored;
                }
                ::close(c);
            });
        }
    }
    ~RawPeer() {
        ::shutdown(fd_, SHUT_RDWR);
        if (thread_.joinable()) thread_.join();
        ::close(fd_);
    }
    std::string port() const { return std::to_string(port_); }

  private:
    int fd_ = -1;
    int port_ = 0;
    std::thread thread_;
};

TEST(Failures, TimeoutWhenThePeerNeverAnswers) {
    RawPeer peer(RawPeer::Mode::silent);  // the kernel completes the TCP handshake; nobody speaks
    auto start = std::chrono::steady_clock::now();
    expect_failure(client({"127.0.0.1", peer.port(), "--timeout", "0.5"}), 12, "timed out");
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(Failures, PeerClosingMidHandshake) {
    RawPeer peer(RawPeer::Mode::close_at_once);
    expect_failure(client({"127.0.0.1", peer.port()}), 13, "during the handshake");
}

TEST(Failures, PlainHttpPeer) {
    RawPeer peer(RawPeer::Mode::http);
    expect_failure(client({"127.0.0.1", peer.port()}), 14, "does not speak TLS: it sent 'HTTP/'");
}

// -p TLSv1 with the default list (TLS 1.2's AEAD suites) cannot offer a
// single suite: that is our configuration, found before connecting, not a
// peer with nothing in common. A silent peer would otherwise time out (12).
TEST(Failures, SettingsThatLeaveNothingToOfferAreRefusedBeforeConnecting) {
    RawPeer silent(RawPeer::Mode::silent);
    for (const std::string version : {"TLSv1", "TLSv1.1"}) {
        SCOPED_TRACE(version);
        expect_failure(client({"127.0.0.1", silent.port(), "-p", version, "--timeout", "2"}), 2,
                       "can be used with -p " + version);
        expect_failure(client({"127.0.0.1", std::to_string(refused_port()), "-p", version}), 2, "--cipher");
        // In the background: a server that wrongly starts must not hang the test.
        Background server({bin(), "server", "127.0.0.1", "0", "-s", certs().localhost, "-p", version});
        EXPECT_EQ(server.wait(5s), 2) << server.output();
        EXPECT_NE(server.output().find("can be used with -p " + version), std::string::npos) << server.output();
        EXPECT_EQ(server.output().find("Listening"), std::string::npos) << server.output();
    }
}

// The security level is at least 2 on every release (1.1.1 starts contexts
// at 1): a 1024-bit RSA key (80 bits of security) is refused by our server
// and, presented by a peer, by our client. The key comes from the openssl
// command; the peer runs at level 0 so that it can present it.
TEST(Failures, KeysBelowSecurityLevelTwoAreRefusedOnEveryRelease) {
    TempDir dir;
    const std::string pem = dir.path() + "/rsa1024.pem";
    Result made = openssl({"req", "-x509", "-newkey", "rsa:1024", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                           "-addext", "subjectAltName=DNS:localhost", "-keyout", pem, "-out", dir.path() + "/c.pem"});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    write_file(pem, read_file(dir.path() + "/c.pem") + read_file(pem));
    expect_failure(run_tool({"server", "127.0.0.1", "0", "-s", pem}), 2, "too small");

    OpensslServer weak(pem, {"-cipher", "DEFAULT:@SECLEVEL=0"});
    ASSERT_FALSE(weak.port.empty()) << weak.proc.output();
    Result r = client({"localhost", weak.port, "-a", pem});
    EXPECT_NE(r.exit_code, 0) << "a 1024-bit server key was accepted";
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(Failures, UsageErrorsNameTheValidChoices) {
    expect_failure(client({"localhost", "443", "-p", "SSLv2"}), 2, "valid protocols: TLSv1, TLSv1.1, TLSv1.2, TLSv1.3");
    expect_failure(client({"localhost", "99999"}), 2, "port");
    expect_failure(run_tool({"server", "127.0.0.1", "0"}), 2, "-s FILE.pem");
    expect_failure(client({"localhost", "443", "-a", "/nonexistent/ca.crt"}), 2, "/nonexistent/ca.crt");
}

// A client that completes the handshake and then says nothing: the server's
// message names the option that bounds that wait, not --timeout.
TEST(Server, AnIdleClientsTimeoutNamesIdleTimeout) {
    OurServer server({"--once", "--idle-timeout", "0.3"});
    ASSERT_FALSE(server.port.empty());
    Background silent({"openssl", "s_client", "-connect", "127.0.0.1:" + server.port, "-CAfile", certs().ca});
    EXPECT_EQ(server.proc.wait(10s), 12) << server.proc.output();
    EXPECT_NE(server.proc.output().find("try --idle-timeout"), std::string::npos) << server.proc.output();
}

// "[::1]" is how an IPv6 address is written beside a port; both forms work.
TEST(Interop, BracketedIPv6AddressesAreAccepted) {
    OurServer server({}, "[::1]");
    ASSERT_FALSE(server.port.empty()) << server.proc.output();
    EXPECT_EQ(client({"[::1]", server.port, "-a", certs().ca}).exit_code, 0);
    EXPECT_EQ(client({"::1", server.port, "-a", certs().ca}).exit_code, 0);
    expect_failure(client({"[localhost]", server.port}), 11, "cannot resolve host '[localhost]'");
    EXPECT_NE(run_tool({"client", "--help"}).out.find("[::1]"), std::string::npos);
}

// --- A server that keeps serving ---------------------------------------------

// A plain TCP connection to 127.0.0.1:port; the caller closes it.
int connect_loopback(int port) {
    int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    return s;
}

TEST(Server, SurvivesGarbageResetsIdlersAndFailedHandshakesThenStopsCleanly) {
    OurServer server({"--timeout", "0.5"});
    ASSERT_FALSE(server.port.empty());
    const int port = std::stoi(server.port);
    auto connect_raw = [port] { return connect_loopback(port); };
    // Garbage.
    int g = connect_raw();
    ASSERT_EQ(::write(g, "\x16\x03\x01\x00\x05hello", 10), 10);
    ::close(g);
    // Plain HTTP.
    int h = connect_raw();
    ASSERT_EQ(::write(h, "GET / HTTP/1.0\r\n\r\n", 18), 18);
    // Abrupt reset.
    int r = connect_raw();
    linger lg{1, 0};
    ::setsockopt(r, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    ::close(r);
    // An idler, held past the handshake timeout.
    int idle = connect_raw();
    // A client that fails verification.
    EXPECT_EQ(client({"localhost", server.port}).exit_code, 16);
    std::this_thread::sleep_for(1s);
    ::close(h);
    ::close(idle);
    // Still serving at once.
    Result good = client({"localhost", server.port, "-a", certs().ca, "-m", "still here"});
    EXPECT_EQ(good.exit_code, 0) << good.err;
    EXPECT_FALSE(server.proc.wait_for(std::regex("b'still here'"), 5s).empty()) << server.proc.output();
    EXPECT_EQ(server.proc.stop(SIGTERM), 0) << server.proc.output();
    const std::string log = server.proc.output();
    for (const char* expected : {"timed out", "does not speak TLS: it sent 'GET /'", "reset the connection",
                                 "unknown CA", "server stopped"}) {
        EXPECT_NE(log.find(expected), std::string::npos) << expected << "\n" << log;
    }
    // One line per failure: every error line stands alone.
    for (const std::string& line : lines_of(log)) {
        if (line.find("error:") != std::string::npos) {
            EXPECT_EQ(line.rfind("sslfeatures: error: ", 0), 0u) << line;
        }
    }
}

TEST(Server, StopsPromptlyEvenWhenEverySlotIsTaken) {
    // One slot, held by a connected client that stays silent (30 s idle
    // deadline); a second client is accepted and waits for that slot.
    OurServer server({"--max-clients", "1", "--timeout", "1", "--idle-timeout", "30"});
    ASSERT_FALSE(server.port.empty());
    Background holder({"openssl", "s_client", "-connect", "127.0.0.1:" + server.port, "-CAfile", certs().ca});
    ASSERT_FALSE(server.proc.wait_for(std::regex("Connection from"), 5s).empty()) << server.proc.output();
    ASSERT_FALSE(holder.wait_for(std::regex("Verify return code: 0"), 5s).empty()) << holder.output();
    const int waiting = connect_loopback(std::stoi(server.port));
    std::this_thread::sleep_for(300ms);
    const auto asked = std::chrono::steady_clock::now();
    const int code = server.proc.stop(SIGTERM, 8s);
    const auto took = std::chrono::steady_clock::now() - asked;
    EXPECT_EQ(code, 0) << server.proc.output();
    // Stopping lets the holder go on for up to --timeout (1 s), then cuts it;
    // a server stuck waiting for the slot would wait for the holder's 30 s.
    EXPECT_LT(took, 4s) << server.proc.output();
    EXPECT_NE(server.proc.output().find("server stopped (connections still open were cut)"), std::string::npos)
        << server.proc.output();
    ::close(waiting);
}

TEST(Server, PrintsEachChunkAsAPythonBytesLiteral) {
    OurServer server({"--once"});
    Background c({bin(), "client", "localhost", server.port, "-a", certs().ca, "--stdin"},
                 std::string("tab\there\nquote' nul\x01\xff", 21));
    c.close_stdin();
    EXPECT_EQ(c.wait(10s), 0) << c.output();
    EXPECT_EQ(server.proc.wait(10s), 0);
    // Python: repr(b"tab\there\nquote' nul\x01\xff")
    EXPECT_NE(server.proc.output().find("b\"tab\\there\\nquote' nul\\x01\\xff\"\n"), std::string::npos)
        << server.proc.output();
}

}  // namespace
}  // namespace sslfeatures::testing
