// `sslfeatures defaults`, checked against OpenSSL itself: a context this test
// makes with its own SSL_CTX_new, the macros of the headers it compiles with,
// and the openssl command's view of the same cipher names.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <regex>
#include <set>
#include <sstream>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "support/certs.hpp"
#include "support/expect.hpp"
#include "support/openssl_cli.hpp"
#include "support/process.hpp"
#include "support/text.hpp"
#include "support/tool_json.hpp"

namespace sslfeatures::testing {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kTitleWidth = 36;
constexpr std::size_t kWrapWidth = 70;
const std::vector<std::string> kSections = {"secure client", "secure server", "library default"};

const std::vector<std::string> kJsonArgs = {"defaults", "--format", "json"};

std::vector<std::string> strings(const nlohmann::json& array) {
    return array.get<std::vector<std::string>>();
}

std::string joined(const std::vector<std::string>& items, char sep) {
    std::string out;
    for (const auto& s : items) out += (out.empty() ? "" : std::string(1, sep)) + s;
    return out;
}

// A fresh context of the test's own, as the library makes it.
struct RawContext {
    SSL_CTX* ctx = SSL_CTX_new(TLS_method());
    ~RawContext() { SSL_CTX_free(ctx); }
};

// ---- JSON: values against OpenSSL itself --------------------------------------

// The JSON, run once for the file and kept, not asserted, when made: each
// test that reads it checks the run (DefaultsJson's SetUp) or reads through
// .at(), so a failing tool fails each test with a message instead of
// aborting the program.
const JsonRun& json_run() {
    static const JsonRun run = run_tool_json(kJsonArgs);
    return run;
}
const nlohmann::json& doc() { return json_run().doc; }

class DefaultsJson : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_NO_FATAL_FAILURE(assert_json_run(json_run())); }
};

TEST_F(DefaultsJson, FollowsTheSchema) {
    const auto& d = doc();
    EXPECT_EQ(d.at("schema"), "sslfeatures/defaults");
    EXPECT_EQ(d.at("schema_version"), 2);
    EXPECT_TRUE(d.at("openssl").at("library").is_string());
    EXPECT_EQ(d.at("openssl").at("library_number").get<unsigned long>(), OpenSSL_version_num());
    for (const char* part : {"client", "server", "library_default"}) {
        const auto& p = d.at(part);
        EXPECT_TRUE(p.at("min_protocol").at("value").is_number_integer()) << part;
        EXPECT_TRUE(p.at("options").at("value").is_number_unsigned()) << part;
        EXPECT_TRUE(p.at("options").at("names").is_array()) << part;
        EXPECT_TRUE(p.at("security_level").is_number_integer()) << part;
        EXPECT_TRUE(p.at("ciphers_tls12").is_array()) << part;
        EXPECT_TRUE(p.at("ciphersuites_tls13").is_array()) << part;
        EXPECT_TRUE(p.at("session_timeout").is_number_integer()) << part;
        EXPECT_TRUE(p.at("no_compression").is_boolean()) << part;
        EXPECT_TRUE(p.at("host_name_check").at("on").is_boolean()) << part;
        EXPECT_TRUE(p.at("subject_cn_fallback").is_boolean()) << part;
        // The ClientHello probe works on every supported release.
        EXPECT_TRUE(p.at("groups").is_array()) << part << ": " << p.value("hello_probe_error", "");
        EXPECT_TRUE(p.at("signature_algorithms").is_array()) << part;
    }
}

TEST_F(DefaultsJson, SecureContextsStartAtTls12AndTheLibraryWhereOpenSSLSays) {
    EXPECT_EQ(doc().at("client").at("min_protocol").at("value"), 0x0303);
    EXPECT_EQ(doc().at("server").at("min_protocol").at("value"), 0x0303);
    RawContext raw;
    ASSERT_NE(raw.ctx, nullptr);
    EXPECT_EQ(doc().at("library_default").at("min_protocol").at("value").get<long>(),
              SSL_CTX_get_min_proto_version(raw.ctx));
    EXPECT_EQ(doc().at("library_default").at("max_protocol").at("value").get<long>(),
              SSL_CTX_get_max_proto_version(raw.ctx));
}

TEST_F(DefaultsJson, SecureContextsRefuseCompressionAndRenegotiation) {
    for (const char* part : {"client", "server"}) {
        const auto& p = doc().at(part);
        const auto options = p.at("options").at("value").get<std::uint64_t>();
        EXPECT_NE(options & SSL_OP_NO_COMPRESSION, 0u) << part;
        EXPECT_NE(options & SSL_OP_NO_RENEGOTIATION, 0u) << part;
        EXPECT_TRUE(p.at("no_compression").get<bool>()) << part;
        EXPECT_TRUE(p.at("no_renegotiation").get<bool>()) << part;
        const auto names = strings(p.at("options").at("names"));
        EXPECT_NE(std::find(names.begin(), names.end(), "SSL_OP_NO_COMPRESSION"), names.end()) << part;
        EXPECT_NE(std::find(names.begin(), names.end(), "SSL_OP_NO_RENEGOTIATION"), names.end()) << part;
    }
}

TEST_F(DefaultsJson, TheClientVerifiesItsPeerAndTheServerAsksForNoCertificate) {
    const auto& client = doc().at("client").at("verify_mode");
    EXPECT_NE(client.at("value").get<int>() & SSL_VERIFY_PEER, 0);
    const auto names = strings(client.at("names"));
    EXPECT_NE(std::find(names.begin(), names.end(), "SSL_VERIFY_PEER"), names.end());
    const auto& server = doc().at("server").at("verify_mode");
    EXPECT_EQ(server.at("value").get<int>() & SSL_VERIFY_PEER, 0);
    EXPECT_EQ(strings(server.at("names")), std::vector<std::string>{"SSL_VERIFY_NONE"});
}

TEST_F(DefaultsJson, BitNamesCoverExactlyTheSetBits) {
    // Name -> value from the features table, whose values the values test
    // checks against a program compiled here.
    const auto table = numeric_sections(tool_json({"-c", "options", "-c", "verify_mode",
                                                   "-c", "session_cache"}));
    const std::pair<const char*, const char*> fields[] = {
        {"options", "options"}, {"verify_mode", "verify_mode"}, {"session_cache_mode", "session_cache"}};
    for (const char* part : {"client", "server", "library_default"}) {
        for (const auto& [field, section] : fields) {
            const auto& bits = doc().at(part).at(field);
            const auto value = bits.at("value").get<std::uint64_t>();
            std::uint64_t covered = 0;
            for (const auto& name : strings(bits.at("names"))) {
                ASSERT_TRUE(table.at(section).count(name)) << name;
                const auto bit = static_cast<std::uint64_t>(table.at(section).at(name));
                EXPECT_TRUE(bit == 0 ? value == 0 : (bit & (bit - 1)) == 0 && (value & bit) == bit)
                    << part << " " << field << ": " << name;
                covered |= bit;
            }
            EXPECT_EQ(covered, value) << part << " " << field << ": a set bit has no name";
        }
    }
}

TEST_F(DefaultsJson, ClientTls12CiphersAreForwardSecretAead) {
    const auto ours = strings(doc().at("client").at("ciphers_tls12"));
    ASSERT_FALSE(ours.empty());
    Result r = openssl_under_test({"ciphers", "-v", joined(ours, ':')});
    if (r.exit_code == -1) GTEST_SKIP() << r.err;
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // openssl ciphers -v: NAME VERSION Kx=... Au=... Enc=... Mac=...
    std::set<std::string> seen;
    for (const std::string& line : lines_of(r.out)) {
        std::istringstream words(line);
        std::string name, version, word, kx, enc;
        words >> name >> version;
        while (words >> word) {
            if (word.rfind("Kx=", 0) == 0) kx = word.substr(3);
            if (word.rfind("Enc=", 0) == 0) enc = word.substr(4);
        }
        if (std::find(ours.begin(), ours.end(), name) == ours.end()) continue;  // TLS 1.3 suites
        seen.insert(name);
        EXPECT_TRUE(kx == "ECDH" || kx == "DH") << line;
        EXPECT_TRUE(enc.find("GCM") != std::string::npos || enc.find("CHACHA20") != std::string::npos)
            << line;
    }
    EXPECT_EQ(seen, std::set<std::string>(ours.begin(), ours.end()))
        << "the openssl command does not know every cipher we list";
}

TEST_F(DefaultsJson, LibraryTls13SuitesAreWhatTheOpensslCommandLists) {
    Result r = openssl_under_test({"ciphers", "-s", "-tls1_3"});
    if (r.exit_code == -1) GTEST_SKIP() << r.err;
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 1u) << r.out;
    EXPECT_EQ(strings(doc().at("library_default").at("ciphersuites_tls13")), split_nonempty(lines[0], ':'));
}

TEST_F(DefaultsJson, LibrarySecurityLevelAndOptionsAreAFreshContexts) {
    RawContext raw;
    ASSERT_NE(raw.ctx, nullptr);
    const auto& lib = doc().at("library_default");
    EXPECT_EQ(lib.at("security_level").get<int>(), SSL_CTX_get_security_level(raw.ctx));
    EXPECT_EQ(lib.at("options").at("value").get<std::uint64_t>(),
              static_cast<std::uint64_t>(SSL_CTX_get_options(raw.ctx)));
    EXPECT_EQ(lib.at("session_timeout").get<long>(), static_cast<long>(SSL_CTX_get_timeout(raw.ctx)));
    EXPECT_EQ(lib.at("session_cache_size").get<long>(), SSL_CTX_sess_get_cache_size(raw.ctx));
}

TEST_F(DefaultsJson, EnabledVersionsStayWithinTheBounds) {
    // The ClientHello probe and the min/max getters are two paths to one fact.
    for (const char* part : {"client", "server"}) {
        const auto& versions = doc().at(part).at("versions_enabled");
        ASSERT_FALSE(versions.empty()) << part;
        for (const auto& v : versions) EXPECT_GE(v.at("value").get<int>(), 0x0303) << part;
        EXPECT_EQ(doc().at(part).at("min_protocol").at("effective"), 0x0303) << part;
    }
}

// ---- text: the report layout ------------------------------------------------

// A row of one section of `defaults` text, its continuation lines joined back
// with single spaces.
std::string row_of(const std::string& text, const std::string& section, const std::string& title) {
    std::string row;
    bool in_section = false, in_row = false;
    for (const std::string& line : lines_of(text)) {
        if (line.rfind("---", 0) == 0) in_section = line.find(" " + section + " ") != std::string::npos;
        if (!in_section) continue;
        if (line.rfind(title + ".", 0) == 0) {
            in_row = true;
            row = line.substr(kTitleWidth + 1);
        } else if (in_row && line.rfind("    ", 0) == 0) {
            row.append(" ").append(line, 4);
        } else {
            in_row = false;
        }
    }
    return row;
}

class DefaultsText : public ::testing::Test {
  protected:
    static void SetUpTestSuite() { result_ = new Result(run_tool({"defaults"})); }
    static void TearDownTestSuite() { delete result_; }
    static std::vector<std::string> lines() { return lines_of(result_->out); }
    static bool is_title(const std::string& line) { return line.rfind("---", 0) == 0; }
    static std::string row(const std::string& section, const std::string& title) {
        return row_of(result_->out, section, title);
    }

    static Result* result_;
};
Result* DefaultsText::result_ = nullptr;

TEST_F(DefaultsText, SucceedsQuietly) {
    EXPECT_EQ(result_->exit_code, 0);
    EXPECT_EQ(result_->err, "");
}

TEST_F(DefaultsText, HasTheThreeSectionsCentredAndEachEndsWithAnEmptyLine) {
    const auto all = lines();
    ASSERT_GT(all.size(), 3u);
    EXPECT_EQ(all.front(), "");
    EXPECT_EQ(all.back(), OpenSSL_version(OPENSSL_VERSION));
    std::vector<std::string> titles;
    for (std::size_t i = 0; i < all.size(); ++i) {
        if (!is_title(all[i])) continue;
        const std::string& line = all[i];
        EXPECT_EQ(line.size(), 72u) << line;
        const auto first = line.find_first_not_of('-');
        const auto last = line.find_last_not_of('-');
        ASSERT_NE(first, std::string::npos) << line;
        const std::size_t left = first, right = line.size() - 1 - last;
        EXPECT_TRUE(right == left || right == left + 1) << line;  // str.center
        titles.push_back(line.substr(first + 1, last - first - 1));
        if (i > 1) {
            EXPECT_EQ(all[i - 1], "") << "no empty line before " << line;
        }
    }
    // The configuration first: it shapes every context after it.
    std::vector<std::string> expected = {"configuration"};
    expected.insert(expected.end(), kSections.begin(), kSections.end());
    EXPECT_EQ(titles, expected);
    EXPECT_EQ(all[all.size() - 2], "");
}

TEST_F(DefaultsText, EveryRowFollowsTheDottedLayout) {
    std::string previous;
    for (const std::string& line : lines()) {
        if (line.empty() || is_title(line) || line == OpenSSL_version(OPENSSL_VERSION)) {
            previous.clear();
            continue;
        }
        std::string rest;
        if (line.rfind("    ", 0) == 0) {
            ASSERT_FALSE(previous.empty()) << "a continuation with no row above: " << line;
            ASSERT_GT(line.size(), 4u);
            EXPECT_NE(line[4], ' ') << line;
            rest = line.substr(4);
            // Greedy wrapping: the first word did not fit on the line above.
            // A signature scheme and its code point are one word that never
            // breaks: "rsa_pss_rsae_sha256 (0x0804)".
            std::smatch scheme;
            const bool is_scheme = std::regex_search(rest, scheme, std::regex(R"(^\S+ \(0x[0-9a-f]{4}\))"));
            const std::string word = is_scheme ? scheme[0].str() : rest.substr(0, rest.find(' '));
            EXPECT_GT(previous.size() + 1 + word.size(), kWrapWidth) << previous << "\n" << line;
        } else {
            // A title, then dots up to column 36, then one space.
            ASSERT_GT(line.size(), kTitleWidth + 1) << line;
            const std::string head = line.substr(0, kTitleWidth);
            const auto title_end = head.find_last_not_of('.');
            ASSERT_NE(title_end, std::string::npos) << line;
            EXPECT_LT(title_end + 1, head.size()) << "no dots: " << line;
            const std::string title = head.substr(0, title_end + 1);
            EXPECT_EQ(title.find(".."), std::string::npos) << line;
            EXPECT_NE(title.front(), ' ') << line;
            EXPECT_NE(title.back(), ' ') << line;
            EXPECT_EQ(line[kTitleWidth], ' ') << line;
            EXPECT_NE(line[kTitleWidth + 1], ' ') << line;
            rest = line.substr(kTitleWidth + 1);
        }
        if (line.size() > kWrapWidth) {
            EXPECT_EQ(rest.find(' '), std::string::npos) << "over 70 but breakable: " << line;
        }
        EXPECT_EQ(line.find("  ", line.rfind("    ", 0) == 0 ? 4 : 0), std::string::npos) << line;
        previous = line;
    }
}

TEST_F(DefaultsText, ListsTheSameClientCiphersAsTheJson) {
    EXPECT_EQ(split_nonempty(row("secure client", "TLS 1.2 and older ciphers"), ' '),
              strings(doc().at("client").at("ciphers_tls12")));
}

TEST_F(DefaultsText, HostNameRowsSayWhatTheJsonSays) {
    const std::pair<const char*, const char*> parts[] = {
        {"secure client", "client"}, {"secure server", "server"}, {"library default", "library_default"}};
    for (const auto& [section, part] : parts) {
        const std::string check = row(section, "Host name check");
        const std::string fallback = row(section, "Subject CN fallback");
        const bool on = doc().at(part).at("host_name_check").at("on").get<bool>();
        EXPECT_EQ(check.rfind(on ? "on: " : "off: ", 0), 0u) << section << ": " << check;
        const bool falls_back = doc().at(part).at("subject_cn_fallback").get<bool>();
        EXPECT_EQ(fallback.rfind(falls_back ? "on " : "off ", 0), 0u) << section << ": " << fallback;
        EXPECT_NE(fallback.find("X509_CHECK_FLAG_NEVER_CHECK_SUBJECT"), std::string::npos) << fallback;
    }
#if OPENSSL_VERSION_NUMBER >= 0x40000000L
    EXPECT_EQ(row("secure client", "Host name check"), "on: SSL_set1_dnsname per connection");
#else
    EXPECT_EQ(row("secure client", "Host name check"), "on: SSL_set1_host per connection");
#endif
}

// ---- signature algorithms: the names OpenSSL's own trace gives the hello ---------

const TestCerts& certs() { return TestCerts::get(); }

// openssl s_server (the OpenSSL under test's command) for one connection;
// `port` from its ACCEPT line, empty when it did not start.
struct OpensslServer {
    explicit OpensslServer(const std::string& cert, std::vector<std::string> extra = {})
        : proc([&] {
              std::vector<std::string> args{"s_server", "-accept", "0", "-cert", cert, "-naccept", "1"};
              args.insert(args.end(), extra.begin(), extra.end());
              return openssl_under_test_argv(args);
          }()) {
        port = proc.wait_for(std::regex("ACCEPT .*:(\\d+)\n"), 5s);
    }
    Background proc;
    std::string port;
};

// The signature_algorithms of the first ClientHello in `openssl s_server
// -trace` output, as OpenSSL names them: "ecdsa_secp256r1_sha256 (0x0403)".
std::vector<std::string> traced_hello_schemes(const std::string& trace) {
    const std::vector<std::string> lines = lines_of(trace);
    auto it = std::find_if(lines.begin(), lines.end(), [](const std::string& line) {
        return line.find("extension_type=signature_algorithms(13)") != std::string::npos;
    });
    std::vector<std::string> schemes;
    if (it == lines.end()) return schemes;
    const std::regex scheme(R"(^\s+(\S+ \(0x[0-9a-f]{4}\))$)");
    for (++it; it != lines.end(); ++it) {
        std::smatch m;
        if (!std::regex_match(*it, m, scheme)) break;
        schemes.push_back(m[1]);
    }
    return schemes;
}

TEST(DefaultsSignatures, TheClientsAreWhatOpensslTracesInItsHelloByNameAndCodePoint) {
    if (openssl_under_test_argv({}).empty()) GTEST_SKIP() << "no openssl command";
    OpensslServer server(certs().localhost, {"-trace"});
    if (server.port.empty()) GTEST_SKIP() << "this openssl command cannot trace: " << server.proc.output();
    Result r = run_tool({"client", "localhost", server.port, "-a", certs().ca});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    server.proc.wait(10s);
    const std::vector<std::string> traced = traced_hello_schemes(server.proc.output());
    ASSERT_GT(traced.size(), 5u) << server.proc.output();

    std::vector<std::string> json_schemes;
    for (const auto& s : doc().at("client").at("signature_algorithms")) {
        EXPECT_EQ(s.at("code").get<int>(), std::stoi(s.at("hex").get<std::string>(), nullptr, 16)) << s;
        json_schemes.push_back(s.at("name").get<std::string>() + " (" + s.at("hex").get<std::string>() + ")");
    }
    EXPECT_EQ(json_schemes, traced);
    // The text row, unwrapped, holds the same list: no scheme parted from its code.
    Result text = run_tool({"defaults"});
    std::string expected;
    for (const std::string& scheme : traced) expected += (expected.empty() ? "" : " ") + scheme;
    EXPECT_EQ(row_of(text.out, "secure client", "Signature algorithms"), expected);
}

// ---- host name checks, as real handshakes show them --------------------------------

// A handshake by a context the test makes itself: SSL_CTX_new(TLS_method()),
// the library's defaults, trusting the test CA and verifying the peer; `host`
// goes to SSL_set1_host when not empty. True when the handshake completes.
bool raw_handshake(const std::string& port, const std::string& host) {
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_method()), SSL_CTX_free);
    if (!ctx || SSL_CTX_load_verify_locations(ctx.get(), certs().ca.c_str(), nullptr) != 1) return false;
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const timeval limit{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(std::stoi(port)));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = false;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
        std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), SSL_free);
        SSL_set_fd(ssl.get(), fd);
#if OPENSSL_VERSION_NUMBER >= 0x40000000L
        if (!host.empty()) (void)SSL_set1_dnsname(ssl.get(), host.c_str());
#else
        if (!host.empty()) (void)SSL_set1_host(ssl.get(), host.c_str());
#endif
        ok = SSL_connect(ssl.get()) == 1;
        if (ok) SSL_shutdown(ssl.get());
    }
    ::close(fd);
    return ok;
}

bool host_check_on(const char* part) { return doc().at(part).at("host_name_check").at("on").get<bool>(); }

TEST(DefaultsHostCheck, IsOnExactlyWhereAWrongNameFailsTheHandshake) {
    if (openssl_under_test_argv({}).empty()) GTEST_SKIP() << "no openssl command";
    // Our client, against a certificate the test CA issued for other.example.
    OpensslServer for_client(certs().wrong_name);
    ASSERT_FALSE(for_client.port.empty()) << for_client.proc.output();
    Result client = run_tool({"client", "localhost", for_client.port, "-a", certs().ca});
    ASSERT_TRUE(client.exit_code == 0 || client.exit_code == 15) << client.err;  // 15: host name mismatch
    EXPECT_EQ(host_check_on("client"), client.exit_code == 15) << client.err;
    EXPECT_TRUE(host_check_on("client"));  // what Python's create_default_context() does too

    // The library's own context, verifying the same certificate.
    OpensslServer for_library(certs().wrong_name);
    EXPECT_EQ(host_check_on("library_default"), !raw_handshake(for_library.port, ""));

    // Our server, given a client certificate for client.example by a client
    // that connects from 127.0.0.1: it has no name to hold it to.
    Background server({env_or_fail("SSLFEATURES_BIN"), "server", "127.0.0.1", "0", "-s", certs().localhost,
                       "-a", certs().ca, "--once"});
    const std::string port = server.wait_for(std::regex("port (\\d+)\n"));
    ASSERT_FALSE(port.empty()) << server.output();
    Result to_server = run_tool({"client", "localhost", port, "-a", certs().ca, "-c", certs().client});
    const int served = server.wait(10s);
    ASSERT_EQ(to_server.exit_code, 0) << to_server.err << server.output();
    EXPECT_EQ(host_check_on("server"), served != 0) << server.output();
}

TEST(DefaultsHostCheck, SubjectCnFallbackIsWhatACertificateWithoutSubjectAltNameGets) {
    if (openssl_under_test_argv({}).empty()) GTEST_SKIP() << "no openssl command";
    // CN=localhost and no subjectAltName, issued by the test CA.
    OpensslServer for_client(certs().cn_only);
    ASSERT_FALSE(for_client.port.empty()) << for_client.proc.output();
    Result client = run_tool({"client", "localhost", for_client.port, "-a", certs().ca});
    ASSERT_TRUE(client.exit_code == 0 || client.exit_code == 15) << client.err;
    EXPECT_EQ(doc().at("client").at("subject_cn_fallback").get<bool>(), client.exit_code == 0) << client.err;

    OpensslServer for_library(certs().cn_only);
    EXPECT_EQ(doc().at("library_default").at("subject_cn_fallback").get<bool>(),
              raw_handshake(for_library.port, "localhost"));
}

// ---- command line ---------------------------------------------------------------

TEST(DefaultsCli, AnUnknownFormatIsOneLineNamingTheValidOnesAndExit2) {
    const Result r = run_tool({"defaults", "--format", "xml"});
    expect_one_line_error(r, 2, "'xml'");
    EXPECT_NE(r.err.find("text, json"), std::string::npos) << r.err;
}

TEST(DefaultsCli, WritesTheSameBytesToAFileAsToStdout) {
    TempDir dir;
    const std::string path = dir.path() + "/defaults.json";
    Result to_file = run_tool({"defaults", "-f", "json", "-o", path});
    ASSERT_EQ(to_file.exit_code, 0) << to_file.err;
    EXPECT_EQ(to_file.out, "");
    EXPECT_EQ(read_file(path), run_tool({"defaults", "-f", "json"}).out);
}

TEST(DefaultsCli, AMissingDirectoryIsExit3AndOneLine) {
    TempDir dir;
    Result r = run_tool({"defaults", "-o", dir.path() + "/missing/defaults.txt"});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

}  // namespace
}  // namespace sslfeatures::testing
