// `sslfeatures bench --connect HOST:PORT` end to end, against real servers on
// loopback only: our own `sslfeatures server` and `openssl s_server`, on ports
// the kernel picks. What the client claims is held against what the server
// side saw (s_server's summary of each connection) and against the
// certificate as the openssl command reads it; every run is bounded by
// --max-handshakes and --duration.
#include <gtest/gtest.h>

#include <chrono>
#include <regex>

#include <nlohmann/json.hpp>

#include "support/certs.hpp"
#include "support/expect.hpp"
#include "support/openssl_cli.hpp"
#include "support/process.hpp"

namespace sslfeatures::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const TestCerts& certs() { return TestCerts::get(); }
std::string bin() { return env_or_fail("SSLFEATURES_BIN"); }

// Our server on `host` and a port the kernel picks; its output goes nowhere
// near the test's (one line per connection).
struct OurServer {
    explicit OurServer(const std::string& host = "127.0.0.1")
        : proc({bin(), "server", host, "0", "-s", certs().localhost}) {
        port = proc.wait_for(std::regex("Listening at interface '[^']*' and port (\\d+)\n"));
    }
    std::string target() const { return host_in_target + ":" + port; }
    Background proc;
    std::string port;
    std::string host_in_target = "127.0.0.1";
};

// openssl s_server (the OpenSSL under test's command), one connection at a
// time, printing a summary of each: protocol, suite, the groups the client
// offered.
struct OpensslServer {
    OpensslServer()
        : proc(openssl_under_test_argv({"s_server", "-accept", "0", "-cert", certs().localhost})) {
        port = proc.wait_for(std::regex("ACCEPT .*:(\\d+)\n"), 5s);
    }
    Background proc;
    std::string port;
};

Result bench(const std::string& target, std::vector<std::string> args) {
    std::vector<std::string> argv{"bench", "--connect", target};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_tool(argv);
}

// The cases that ran (not skipped), by name without Google Benchmark's suffix.
std::map<std::string, json> ran(const json& doc) {
    std::map<std::string, json> out;
    for (const json& b : doc.at("benchmarks")) {
        if (b.value("error_occurred", false)) continue;
        const std::string name = b.at("run_name").get<std::string>();
        out[name.substr(0, name.find("/iterations:"))] = b;
    }
    return out;
}

std::vector<std::string> skipped_lines(const std::string& listed) {
    std::vector<std::string> out;
    for (const std::string& line : lines_of(listed)) {
        if (line.find("  skipped: ") != std::string::npos) out.push_back(line);
    }
    return out;
}

// The key of the test certificate as the openssl command describes it.
std::string certificate_key() {
    const std::string text = x509_text(certs().localhost);
    std::smatch m;
    if (std::regex_search(text, m, std::regex("NIST CURVE: P-(\\d+)"))) return "ecdsa-p" + m[1].str();
    if (std::regex_search(text, m, std::regex("Public-Key: \\((\\d+) bit\\)"))) return "rsa-" + m[1].str();
    return "<unknown key>";
}

const std::vector<std::string> kOneCase = {"--protocol", "tls1.3", "--cipher", "TLS_AES_128_GCM_SHA256",
                                           "--group", "x25519", "--mode", "full"};

TEST(BenchConnect, RunsTheNamedCaseAgainstOurServerWithTheServersKey) {
    OurServer server;
    std::vector<std::string> args = kOneCase;
    args.insert(args.end(), {"--ca-file", certs().ca, "--max-handshakes", "12", "--concurrency", "3",
                             "--benchmark_format=json"});
    const Result r = bench(server.target(), args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto cases = ran(json::parse(r.out));
    const std::string name = "tls1.3/TLS_AES_128_GCM_SHA256/" + certificate_key() + "/x25519/full";
    ASSERT_EQ(cases.count(name), 1u) << r.out;
    const json& b = cases.at(name);
    EXPECT_EQ(b.at("handshakes").get<double>(), 12);
    EXPECT_EQ(b.at("failures").get<double>(), 0);
    EXPECT_EQ(b.at("version").get<double>(), 0x0304);
    EXPECT_EQ(b.at("cipher_id").get<double>(), 0x1301);
    EXPECT_EQ(b.at("resumed").get<double>(), 0);
    EXPECT_EQ(b.at("concurrency").get<double>(), 3);
    EXPECT_GT(b.at("hs_per_s").get<double>(), 0);
    EXPECT_GT(b.at("lat_p50_us").get<double>(), 0);
    EXPECT_LE(b.at("lat_p50_us").get<double>(), b.at("lat_max_us").get<double>());
}

TEST(BenchConnect, ResumedModesResumeEveryHandshake) {
    OurServer server;
    const Result r = bench(server.target(), {"--protocol", "tls1.3,tls1.2", "--cipher",
                                             "TLS_AES_256_GCM_SHA384,ECDHE-ECDSA-AES128-GCM-SHA256", "--group",
                                             "x25519", "--mode", "ticket,session-id", "--ca-file", certs().ca,
                                             "--max-handshakes", "6", "--benchmark_format=json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto cases = ran(json::parse(r.out));
    const std::string key = certificate_key();
    for (const std::string& name : {"tls1.3/TLS_AES_256_GCM_SHA384/" + key + "/x25519/ticket",
                                    "tls1.2/ECDHE-ECDSA-AES128-GCM-SHA256/" + key + "/x25519/ticket",
                                    "tls1.2/ECDHE-ECDSA-AES128-GCM-SHA256/" + key + "/x25519/session-id"}) {
        ASSERT_EQ(cases.count(name), 1u) << name << "\n" << r.out;
        EXPECT_EQ(cases.at(name).at("handshakes").get<double>(), 6) << name;
        EXPECT_EQ(cases.at(name).at("fail_not_resumed").get<double>(), 0) << name;
        EXPECT_EQ(cases.at(name).at("resumed").get<double>(), 1) << name;
    }
}

// The protocol of every session s_server printed, as `openssl sess_id`
// decodes its PEM block: "TLSv1.3" ...
std::vector<std::string> session_protocols(const std::string& output) {
    std::vector<std::string> out;
    const std::regex block("-----BEGIN SSL SESSION PARAMETERS-----[^]*?-----END SSL SESSION PARAMETERS-----\n");
    for (auto it = std::sregex_iterator(output.begin(), output.end(), block); it != std::sregex_iterator(); ++it) {
        const Result decoded = run(openssl_under_test_argv({"sess_id", "-text", "-noout"}), it->str());
        std::smatch m;
        out.push_back(std::regex_search(decoded.out, m, std::regex("Protocol +: (\\S+)")) ? m[1].str() : decoded.err);
    }
    return out;
}

// The server side's own account: s_server prints each connection's suite,
// its session (whose protocol `openssl sess_id` decodes) and the groups the
// client offered (only the case's, in TLS 1.3).
TEST(BenchConnect, OpensslServerSeesTheNamedProtocolSuiteAndGroup) {
    OpensslServer server;
    ASSERT_FALSE(server.port.empty()) << server.proc.output();
    const Result r = bench("localhost:" + server.port,
                           {"--protocol", "tls1.3,tls1.2", "--cipher", "TLS_AES_256_GCM_SHA384,ECDHE-ECDSA-AES128-GCM-SHA256",
                            "--group", "p-384", "--mode", "full", "--ca-file", certs().ca, "--max-handshakes", "3",
                            "--concurrency", "1", "--benchmark_format=json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(ran(json::parse(r.out)).size(), 2u) << r.out;
    // Per case one probe and three timed handshakes.
    server.proc.wait_for(std::regex("(?:CONNECTION CLOSED[^]*){8}"), 5s);
    const std::string seen = server.proc.output();
    const auto count = [&](const std::string& pattern) {
        const std::regex re(pattern);
        return std::distance(std::sregex_iterator(seen.begin(), seen.end(), re), std::sregex_iterator());
    };
    EXPECT_EQ(count("CIPHER is TLS_AES_256_GCM_SHA384\n"), 4) << seen;
    EXPECT_EQ(count("CIPHER is ECDHE-ECDSA-AES128-GCM-SHA256\n"), 4) << seen;
    EXPECT_EQ(count("CIPHER is "), 8) << seen;
    // TLS 1.3 offers the case's group alone; before TLS 1.3 an ECDSA suite
    // must also list the certificate's curve.
    // s_server 3.x says "Supported groups: secp384r1"; 1.1.1 "Supported Elliptic Groups: P-384".
    EXPECT_EQ(count("Supported (?:groups: secp384r1|Elliptic Groups: P-384)\n"), 4) << seen;
    const std::vector<std::string> protocols = session_protocols(seen);
    EXPECT_EQ(std::count(protocols.begin(), protocols.end(), "TLSv1.3"), 4) << seen;
    EXPECT_EQ(std::count(protocols.begin(), protocols.end(), "TLSv1.2"), 4) << seen;
}

// Our server takes ECDHE suites with AEAD only, and its key is ECDSA: RSA key
// transport and ECDHE-RSA are refused, so they are listed as skipped with the
// reason, and the run still succeeds.
TEST(BenchConnect, CasesTheServerRefusesAreSkippedWithTheReason) {
    OurServer server;
    const std::vector<std::string> pick = {"--protocol", "tls1.2", "--cipher",
                                           "AES128-GCM-SHA256,ECDHE-RSA-AES128-GCM-SHA256,ECDHE-ECDSA-AES128-GCM-SHA256",
                                           "--group", "x25519,rsa", "--mode", "full", "--ca-file", certs().ca};
    std::vector<std::string> list = pick;
    list.push_back("--list");
    const Result listed = bench(server.target(), list);
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    const std::vector<std::string> skipped = skipped_lines(listed.out);
    ASSERT_EQ(skipped.size(), 2u) << listed.out;
    for (const std::string& line : skipped) {
        EXPECT_NE(line.find("skipped: the server refuses it: "), std::string::npos) << line;
    }
    EXPECT_NE(listed.out.find("tls1.2/ECDHE-ECDSA-AES128-GCM-SHA256/" + certificate_key() + "/x25519/full\n"),
              std::string::npos)
        << listed.out;

    std::vector<std::string> run = pick;
    run.insert(run.end(), {"--max-handshakes", "3", "--benchmark_format=json"});
    const Result r = bench(server.target(), run);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json doc = json::parse(r.out);
    int skipped_runs = 0;
    for (const json& b : doc.at("benchmarks")) {
        if (b.value("error_message", "").starts_with("skipped: the server refuses it: ")) ++skipped_runs;
    }
    EXPECT_EQ(skipped_runs, 2) << r.out;
    EXPECT_EQ(ran(doc).size(), 1u) << r.out;
}

TEST(BenchConnect, MaxHandshakesAndDurationBoundTheRun) {
    OurServer server;
    std::vector<std::string> args = kOneCase;
    args.insert(args.end(), {"--ca-file", certs().ca, "--max-handshakes", "5", "--concurrency", "8",
                             "--benchmark_format=json"});
    const Result capped = bench(server.target(), args);
    ASSERT_EQ(capped.exit_code, 0) << capped.err;
    const auto capped_cases = ran(json::parse(capped.out));
    ASSERT_EQ(capped_cases.size(), 1u) << capped.out;
    const json& b = capped_cases.begin()->second;
    EXPECT_EQ(b.at("handshakes").get<double>() + b.at("failures").get<double>(), 5);

    args = kOneCase;
    args.insert(args.end(), {"--ca-file", certs().ca, "--duration", "0.3", "--benchmark_format=json"});
    const auto start = std::chrono::steady_clock::now();
    const Result timed = bench(server.target(), args);
    const auto took = std::chrono::steady_clock::now() - start;
    ASSERT_EQ(timed.exit_code, 0) << timed.err;
    const auto timed_cases = ran(json::parse(timed.out));
    ASSERT_EQ(timed_cases.size(), 1u) << timed.out;
    const json& t = timed_cases.begin()->second;
    EXPECT_GT(t.at("handshakes").get<double>(), 0);
    // Google Benchmark reports the case's time: the 0.3 s and the last connections' end.
    EXPECT_GE(t.at("real_time").get<double>(), 300);
    EXPECT_LT(t.at("real_time").get<double>(), 1500);
    EXPECT_LT(took, 5s);
}

TEST(BenchConnect, Ipv6TargetsGoInBrackets) {
    OurServer server("::1");
    if (server.port.empty()) GTEST_SKIP() << "no IPv6 loopback here: " << server.proc.output();
    std::vector<std::string> args = kOneCase;
    args.insert(args.end(), {"--ca-file", certs().ca, "--max-handshakes", "2", "--benchmark_format=json"});
    const Result r = bench("[::1]:" + server.port, args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto cases = ran(json::parse(r.out));
    ASSERT_EQ(cases.size(), 1u) << r.out;
    EXPECT_EQ(cases.begin()->second.at("handshakes").get<double>(), 2);
}

// Verification is our client's: a server whose CA is not trusted stops the
// run with the cause's exit code; --insecure runs, and says so.
TEST(BenchConnect, AnUntrustedServerStopsTheRunUnlessInsecureIsGiven) {
    OurServer server;
    std::vector<std::string> args = kOneCase;
    args.insert(args.end(), {"--max-handshakes", "2"});
    expect_one_line_error(bench(server.target(), args), 16, "certificate verification failed");

    args.push_back("--insecure");
    args.push_back("--benchmark_format=json");
    const Result r = bench(server.target(), args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("warning: --insecure: the certificate of " + server.target() + " is NOT verified"),
              std::string::npos)
        << r.err;
}

TEST(BenchConnectErrors, BadTargetsAreOneLineUsageErrors) {
    expect_usage_error({"bench", "--connect", "127.0.0.1"}, "no port");
    expect_usage_error({"bench", "--connect", "127.0.0.1:"}, "no port");
    expect_usage_error({"bench", "--connect", "127.0.0.1:99999"}, "not between 1 and 65535");
    expect_usage_error({"bench", "--connect", "127.0.0.1:https"}, "not a port number");
    expect_usage_error({"bench", "--connect", "::1:443"}, "brackets");
    expect_usage_error({"bench", "--connect", "[::1]443"}, "no port");
    expect_usage_error({"bench", "--connect", ":443"}, "no host");
}

TEST(BenchConnectErrors, OptionsThatDoNotApplyAreUsageErrors) {
    const std::string target = "127.0.0.1:" + std::to_string(refused_port());
    expect_usage_error({"bench", "--connect", target, "--key", "rsa-2048"}, "--key does not apply to --connect");
    expect_usage_error({"bench", "--connect", target, "--threads", "2"}, "--concurrency");
    expect_usage_error({"bench", "--connect", target, "--transport", "tcp"}, "--transport");
    expect_usage_error({"bench", "--connect", target, "--measure", "bulk"}, "--measure");
    expect_usage_error({"bench", "--concurrency", "2"}, "--concurrency applies to --connect");
    expect_usage_error({"bench", "--max-handshakes", "2", "--list"}, "--max-handshakes applies to --connect");
    expect_usage_error({"bench", "--insecure"}, "--insecure applies to --connect");
}

TEST(BenchConnectErrors, NothingListeningAndUnknownHostsHaveTheirExitCodes) {
    expect_one_line_error(bench("127.0.0.1:" + std::to_string(refused_port()), kOneCase), 10, "refused");
    expect_one_line_error(bench("no-such-host.invalid:443", kOneCase), 11, "cannot resolve host 'no-such-host.invalid'");
}

}  // namespace
}  // namespace sslfeatures::testing
