// `sslfeatures bench` end to end: every case of the matrix runs a couple of
// handshakes, and what Google Benchmark's own reporters print is read back
// and held against facts from elsewhere (the `openssl` command's code points,
// the case names, the byte counts of full and resumed handshakes).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/expect.hpp"
#include "support/process.hpp"
#include "support/text.hpp"

namespace fs = std::filesystem;

namespace sslfeatures::testing {
namespace {

using nlohmann::json;

// The whole matrix, two handshakes a case, as JSON: run once for the suite.
class BenchMatrix : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        result_ = new Result(run_tool({"bench", "--iterations", "2", "--benchmark_format=json"}));
        listed_ = new Result(run_tool({"bench", "--list"}));
        doc_ = new json(json::parse(result_->out, nullptr, false));
    }
    static void TearDownTestSuite() {
        delete result_;
        delete listed_;
        delete doc_;
    }
    static std::vector<json> cases() {
        std::vector<json> out;
        for (const json& b : doc_->at("benchmarks")) {
            if (!b.value("error_message", "").starts_with("skipped: ")) out.push_back(b);
        }
        return out;
    }
    static Result* result_;
    static Result* listed_;
    static json* doc_;
};
Result* BenchMatrix::result_ = nullptr;
Result* BenchMatrix::listed_ = nullptr;
json* BenchMatrix::doc_ = nullptr;

// "tls1.2/ECDHE-RSA-AES128-GCM-SHA256/rsa-2048/x25519/full/iterations:2"
struct Name {
    std::string protocol, cipher, key, group, mode;
};
Name parse_name(const std::string& name) {
    const auto parts = split(name, '/');
    if (parts.size() < 5) return {};
    return {parts[0], parts[1], parts[2], parts[3], parts[4]};
}

double counter(const json& b, const char* name) {
    return b.contains(name) ? b.at(name).get<double>() : -1;
}

// Cipher name -> two-byte code point, as the openssl command prints them.
std::map<std::string, int> openssl_code_points() {
    const char* program = std::getenv("SF_TEST_OPENSSL");
    if (program == nullptr || *program == '\0') return {};
    const char* libdir = std::getenv("SF_TEST_OPENSSL_LIBDIR");
    std::vector<std::string> argv{program};
    if (libdir != nullptr && *libdir != '\0') argv = {"env", std::string("LD_LIBRARY_PATH=") + libdir, program};
    argv.insert(argv.end(), {"ciphers", "-V", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"});
    std::map<std::string, int> points;
    for (const std::string& line : lines_of(run(argv).out)) {
        // "          0x13,0x02 - TLS_AES_256_GCM_SHA384  TLSv1.3 Kx=any ..."
        std::istringstream in(line);
        std::string code, dash, name;
        in >> code >> dash >> name;
        if (code.size() != 9 || dash != "-") continue;
        points[name] = std::stoi(code.substr(2, 2), nullptr, 16) * 256 + std::stoi(code.substr(7, 2), nullptr, 16);
    }
    return points;
}

TEST_F(BenchMatrix, EveryCaseRunsAndPassesItsChecks) {
    ASSERT_EQ(result_->exit_code, 0) << result_->err;
    ASSERT_FALSE(doc_->is_discarded()) << "not JSON: " << result_->out.substr(0, 200);
    const auto all = cases();
    EXPECT_GT(all.size(), 300u) << "the matrix is suspiciously small";
    for (const json& b : all) {
        EXPECT_FALSE(b.value("error_occurred", false)) << b.at("name") << ": " << b.value("error_message", "");
        EXPECT_EQ(b.at("iterations"), 2) << b.at("name");
    }
}

TEST_F(BenchMatrix, RunsExactlyTheListedCasesAndListsTheSkippedOnes) {
    std::set<std::string> listed;
    std::set<std::string> skipped;
    for (const std::string& line : lines_of(listed_->out)) {
        const auto gap = line.find("  skipped: ");
        (gap == std::string::npos ? listed : skipped).insert(line.substr(0, gap));
    }
    std::set<std::string> ran;
    std::set<std::string> reported_skipped;
    for (const json& b : doc_->at("benchmarks")) {
        std::string name = b.at("run_name");
        name = name.substr(0, name.rfind("/iterations:"));
        if (b.value("error_message", "").starts_with("skipped: ")) {
            reported_skipped.insert(name);
            EXPECT_GT(b.at("error_message").get<std::string>().size(), 12u) << "a skip needs a reason";
        } else {
            ran.insert(name);
        }
    }
    EXPECT_EQ(ran, listed);
    EXPECT_EQ(reported_skipped, skipped);
}

TEST_F(BenchMatrix, NegotiatedVersionAndSuiteMatchTheNameByOpenSSLsCodePoints) {
    const auto points = openssl_code_points();
    if (points.empty()) GTEST_SKIP() << "no openssl command to read code points from";
    const std::map<std::string, int> versions = {
        {"tls1.3", 0x0304}, {"tls1.2", 0x0303}, {"tls1.1@seclevel0", 0x0302}, {"tls1.0@seclevel0", 0x0301}};
    for (const json& b : cases()) {
        const Name n = parse_name(b.at("run_name"));
        ASSERT_TRUE(versions.count(n.protocol)) << b.at("run_name");
        EXPECT_EQ(counter(b, "version"), versions.at(n.protocol)) << b.at("run_name");
        ASSERT_TRUE(points.count(n.cipher)) << n.cipher << " unknown to the openssl command";
        EXPECT_EQ(counter(b, "cipher_id"), points.at(n.cipher)) << b.at("run_name");
    }
}

TEST_F(BenchMatrix, ResumedCasesResumeAndSendFewerBytes) {
    // Server-to-client bytes of the full handshake of each protocol/suite/key.
    std::map<std::string, double> full_bytes;
    for (const json& b : cases()) {
        const Name n = parse_name(b.at("run_name"));
        if (n.mode == "full") full_bytes[n.protocol + n.cipher + n.key] = counter(b, "s2c_bytes");
    }
    int resumed_cases = 0;
    for (const json& b : cases()) {
        const Name n = parse_name(b.at("run_name"));
        const bool resumed = n.mode != "full";
        EXPECT_EQ(counter(b, "resumed"), resumed ? 1 : 0) << b.at("run_name");
        if (!resumed) continue;
        ++resumed_cases;
        const std::string key = n.protocol + n.cipher + n.key;
        ASSERT_TRUE(full_bytes.count(key)) << b.at("run_name");
        // No certificate chain is sent again.
        EXPECT_LT(counter(b, "s2c_bytes"), full_bytes.at(key) - 300) << b.at("run_name");
    }
    EXPECT_GT(resumed_cases, 50);
}

TEST_F(BenchMatrix, CryptoFloorIsPositiveAndBelowTheMeasuredCost) {
    for (const json& b : cases()) {
        const Name n = parse_name(b.at("run_name"));
        const double floor = counter(b, "floor_us");
        const double measured = counter(b, "client_cpu_us") + counter(b, "server_cpu_us");
        EXPECT_GT(measured, 0) << b.at("run_name");
        EXPECT_GT(counter(b, "c2s_bytes"), 0) << b.at("run_name");
        if (n.mode != "full" && n.protocol != "tls1.3") {
            EXPECT_EQ(floor, 0) << "TLS 1.2 resumption has no public-key operation: " << b.at("run_name");
            continue;
        }
        EXPECT_GT(floor, 0) << b.at("run_name");
        // One sampled handshake per case here, and cases whose cost is nearly
        // all public-key work (P-384, RSA-4096, DHE on 1.1.1), where the floor
        // can exceed what libssl pays (docs/bench.md, "The crypto floor"): one run in
        // six saw floor/measured = 1.6 on 1.1.1. So only a sanity bound here,
        // which still catches a floor in the wrong unit or counted per record;
        // bench_engine checks the strict bound over 16 handshakes for the quick set.
        EXPECT_LT(floor, measured * 3) << b.at("run_name");
        EXPECT_NEAR(counter(b, "floor_ratio"), measured / floor, 0.01 * measured / floor) << b.at("run_name");
    }
}

// ---- formats -------------------------------------------------------------------

TEST(BenchFormats, CsvParsesBackWithTheCounters) {
    Result r = run_tool({"bench", "--quick", "--iterations", "2", "--benchmark_format=csv"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto lines = lines_of(r.out);
    auto header = std::find_if(lines.begin(), lines.end(), [](const std::string& l) { return l.starts_with("name,"); });
    ASSERT_NE(header, lines.end()) << r.out;
    const auto columns = split(*header, ',');
    const auto rate = std::find(columns.begin(), columns.end(), "\"hs_per_s\"") - columns.begin();
    ASSERT_LT(rate, static_cast<long>(columns.size())) << *header;
    int rows = 0;
    for (auto it = header + 1; it != lines.end(); ++it) {
        const auto cells = split(*it, ',');
        ASSERT_EQ(cells.size(), columns.size()) << *it;
        EXPECT_GT(std::stod(cells[rate]), 0) << *it;
        ++rows;
    }
    EXPECT_EQ(rows, 8);
}

TEST(BenchFormats, ConsoleListsEveryQuickCaseWithItsRate) {
    Result r = run_tool({"bench", "--quick", "--iterations", "2"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    int rows = 0;
    for (const std::string& line : lines_of(r.out)) {
        if (line.starts_with("tls1.")) ++rows;
    }
    EXPECT_EQ(rows, 8) << r.out;
    EXPECT_NE(r.out.find("hs_per_s"), std::string::npos);
}

TEST(BenchFormats, BenchmarkOutWritesGoogleBenchmarksJson) {
    TempDir dir;
    const std::string path = dir.path() + "/out.json";
    Result r = run_tool({"bench", "--quick", "--protocol", "tls1.3", "--iterations", "2",
                         "--benchmark_out=" + path, "--benchmark_out_format=json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json doc = json::parse(read_file(path));
    ASSERT_EQ(doc.at("benchmarks").size(), 4u);
    EXPECT_TRUE(doc.at("context").contains("num_cpus"));  // what compare.py reads
    for (const json& b : doc.at("benchmarks")) EXPECT_GT(b.at("hs_per_s").get<double>(), 0);
}

TEST(BenchFormats, FilterAndSelectorsNarrowTheRun) {
    Result r = run_tool({"bench", "--protocol", "tls1.2", "--key", "ecdsa-p256", "--group", "p-256",
                         "--mode", "full", "--iterations", "1", "--benchmark_format=json",
                         "--benchmark_filter=AES128-GCM"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json doc = json::parse(r.out);
    ASSERT_EQ(doc.at("benchmarks").size(), 1u) << r.out;
    EXPECT_EQ(doc.at("benchmarks")[0].at("run_name"),
              "tls1.2/ECDHE-ECDSA-AES128-GCM-SHA256/ecdsa-p256/p-256/full/iterations:1");
}

TEST(BenchTransport, TcpRunsTheSameChecks) {
    Result r = run_tool({"bench", "--quick", "--transport", "tcp", "--iterations", "3", "--benchmark_format=json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json doc = json::parse(r.out);
    ASSERT_EQ(doc.at("benchmarks").size(), 8u);
    for (const json& b : doc.at("benchmarks")) {
        EXPECT_FALSE(b.value("error_occurred", false)) << b.value("error_message", "");
        EXPECT_GT(b.at("hs_per_s").get<double>(), 0);
    }
}

TEST(BenchThreads, TwoThreadsReportOneRowPerCase) {
    Result r = run_tool({"bench", "--quick", "--mode", "full", "--threads", "2", "--iterations", "2",
                         "--benchmark_format=json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json doc = json::parse(r.out);
    ASSERT_EQ(doc.at("benchmarks").size(), 4u);
    for (const json& b : doc.at("benchmarks")) {
        EXPECT_EQ(b.at("threads"), 2);
        EXPECT_FALSE(b.value("error_occurred", false)) << b.value("error_message", "");
    }
}

TEST(BenchThreads, AListOfThreadCountsGivesOneResultSetPerCount) {
    Result r = run_tool({"bench", "--quick", "--mode", "full", "--protocol", "tls1.2", "--threads", "1,2",
                         "--iterations", "4", "--benchmark_format=json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json doc = json::parse(r.out);
    std::map<int, int> per_count;
    for (const json& b : doc.at("benchmarks")) {
        EXPECT_FALSE(b.value("error_occurred", false)) << b.value("error_message", "");
        per_count[b.at("threads").get<int>()] += 1;
        // Percentiles of every handshake's wall time, in order, the largest the maximum.
        const double p50 = b.at("lat_p50_us"), p99 = b.at("lat_p99_us"), max = b.at("lat_max_us");
        EXPECT_GT(p50, 0);
        EXPECT_LE(p50, p99 * 1.002);
        EXPECT_LE(p99, max * 1.002);
    }
    EXPECT_EQ(per_count, (std::map<int, int>{{1, 2}, {2, 2}}));
}

// ---- bench --measure bulk ----------------------------------------------------------

TEST(BenchBulkCli, QuickBulkRunsEachSuiteAtEachSize) {
    Result r = run_tool({"bench", "--measure", "bulk", "--quick", "--size", "1k,1500", "--iterations", "20",
                         "--benchmark_format=json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json doc = json::parse(r.out);
    const std::vector<std::string> listed = lines_of(run_tool({"bench", "--measure", "bulk", "--quick", "--size", "1k,1500", "--list"}).out);
    ASSERT_EQ(doc.at("benchmarks").size(), listed.size());
    for (const json& b : doc.at("benchmarks")) {
        EXPECT_FALSE(b.value("error_occurred", false)) << b.value("error_message", "");
        for (const char* counter : {"pair_MBps", "send_MBps", "recv_MBps", "floor_seal_MBps", "floor_open_MBps"}) {
            EXPECT_GT(b.at(counter).get<double>(), 0) << b.at("name") << " " << counter;
        }
        EXPECT_GT(b.at("wire_per_byte").get<double>(), 1.0);
        const std::string name = b.at("name");
        EXPECT_TRUE(name.find("/bulk-1k/") != std::string::npos || name.find("/bulk-1500/") != std::string::npos) << name;
    }
}

TEST(BenchBulkCli, BadSizesAndOptionsForTheOtherMeasureExitTwo) {
    const std::vector<std::vector<std::string>> bad = {
        {"bench", "--measure", "bulk", "--size", "0"},
        {"bench", "--measure", "bulk", "--size", "1.5k"},
        {"bench", "--measure", "bulk", "--size", "17m"},
        {"bench", "--size", "1k"},
        {"bench", "--measure", "bulk", "--mode", "ticket"},
        {"bench", "--measure", "bulk", "--threads", "2"},
        {"bench", "--measure", "bulk", "--transport", "tcp"},
        {"bench", "--measure", "speed"},
        {"bench", "--threads", "1,0"},
    };
    for (const auto& args : bad) {
        Result r = run_tool(args);
        EXPECT_EQ(r.exit_code, 2) << args.back() << ": " << r.err;
        EXPECT_EQ(lines_of(r.err).size(), 1u) << r.err;
    }
}

// ---- snapshot --with-bench ---------------------------------------------------------

TEST(BenchSnapshot, WithBenchRecordsTheQuickSet) {
    Result r = run_tool({"snapshot", "--with-bench"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json doc = json::parse(r.out);
    ASSERT_TRUE(doc.contains("bench")) << r.out.substr(0, 200);
    const json& cases = doc.at("bench").at("cases");
    std::set<std::string> listed;
    for (const std::string& line : lines_of(run_tool({"bench", "--quick", "--list"}).out)) listed.insert(line);
    ASSERT_EQ(cases.size(), listed.size());
    for (const json& c : cases) {
        EXPECT_TRUE(listed.count(c.at("id").get<std::string>())) << c.at("id");
        EXPECT_GT(c.at("handshakes_per_second").get<double>(), 0) << c.at("id");
        EXPECT_EQ(c.at("repetitions"), 5) << c.at("id");
        // A fraction, not a percentage; how small depends on the machine's load.
        EXPECT_GE(c.at("cv").get<double>(), 0) << c.at("id");
        EXPECT_LT(c.at("cv").get<double>(), 1) << c.at("id");
    }
    // The quick bulk cases and the memory cases, as their own --list names them.
    const auto names_of = [](const std::vector<std::string>& args) {
        std::set<std::string> names;
        for (const std::string& line : lines_of(run_tool(args).out)) names.insert(line);
        return names;
    };
    std::set<std::string> bulk, memory;
    for (const json& c : doc.at("throughput").at("cases")) {
        bulk.insert(c.at("id").get<std::string>());
        EXPECT_GT(c.at("mb_per_second").get<double>(), 0) << c.at("id");
    }
    EXPECT_EQ(bulk, names_of({"bench", "--measure", "bulk", "--quick", "--size", "16k", "--list"}));
    for (const json& c : doc.at("memory").at("cases")) {
        memory.insert(c.at("id").get<std::string>());
        // What releasing buffers leaves is less than a connection holds.
        EXPECT_LT(c.at("client_released").get<int>(), c.at("client").get<int>()) << c.at("id");
        EXPECT_LT(c.at("server_released").get<int>(), c.at("server").get<int>()) << c.at("id");
        EXPECT_GT(c.at("server_released").get<int>(), 1000) << c.at("id");
    }
    EXPECT_EQ(memory, names_of({"bench", "--measure", "memory", "--list"}));
    const json plain = json::parse(run_tool({"snapshot"}).out);
    for (const char* part : {"bench", "throughput", "memory"}) EXPECT_FALSE(plain.contains(part)) << "only when asked";
}

// ---- progress ------------------------------------------------------------------

TEST(BenchProgress, NothingExtraWhenNotATerminal) {
    Result r = run_tool({"bench", "--quick", "--iterations", "2", "--benchmark_format=json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
}

TEST(BenchProgress, ATerminalSeesCaseIOfNAndTheTimeLeft) {
    if (run({"sh", "-c", "command -v script"}).exit_code != 0) GTEST_SKIP() << "no script(1) to make a terminal";
    const std::string command = env_or_fail("SSLFEATURES_BIN") +
                                " bench --quick --iterations 2 --benchmark_format=json";
    Result r = run({"script", "-qec", command, "/dev/null"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("case 2 of 8, about "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(" s left"), std::string::npos) << r.out;

    // With repetitions each case reports twice (runs, then aggregates); it
    // still counts once.
    Result reps = run({"script", "-qec", command + " --benchmark_repetitions=2", "/dev/null"});
    ASSERT_EQ(reps.exit_code, 0) << reps.out << reps.err;
    // Counted twice, the count would reach 8 after the fourth case; counted
    // once, "case 8 of 8" shows only once the seventh case has reported.
    const auto quick = lines_of(run_tool({"bench", "--quick", "--list"}).out);
    ASSERT_EQ(quick.size(), 8u);
    const std::size_t seventh = reps.out.find("\"" + quick[6] + "/");
    const std::size_t last = reps.out.rfind("case 8 of 8, about ");
    ASSERT_NE(seventh, std::string::npos) << reps.out;
    ASSERT_NE(last, std::string::npos) << reps.out;
    EXPECT_GT(last, seventh) << reps.out;
}

// ---- errors --------------------------------------------------------------------

// A usage error of `sslfeatures bench ARGS`.
void expect_bench_usage_error(const std::vector<std::string>& args, const std::string& must_mention) {
    std::vector<std::string> full{"bench"};
    full.insert(full.end(), args.begin(), args.end());
    expect_usage_error(full, must_mention);
}

TEST(BenchErrors, UnknownSelectorsNameWhatTheLibraryOffers) {
    expect_bench_usage_error({"--group", "x448"}, "'x448'; this library offers groups: x25519, p-256, p-384");
    expect_bench_usage_error({"--key", "rsa-1024"}, "offers keys: rsa-2048, rsa-3072, rsa-4096, ecdsa-p256");
    expect_bench_usage_error({"--cipher", "NOPE-CIPHER"}, "TLS_AES_128_GCM_SHA256");
    expect_bench_usage_error({"--protocol", "tls1.4"}, "protocols: tls1.3, tls1.2");
    expect_bench_usage_error({"--mode", "zero-rtt"}, "modes: full, session-id, ticket");
}

TEST(BenchErrors, BadTransportFormatAndFlagsAreUsageErrors) {
    expect_bench_usage_error({"--transport", "udp"}, "memory, tcp");
    expect_bench_usage_error({"--benchmark_format=xml"}, "console, json, csv");
    expect_bench_usage_error({"--benchmark_frobnicate=1"}, "--benchmark_frobnicate");
    expect_bench_usage_error({"--frobnicate"}, "--frobnicate");
    // Google Benchmark itself would print its usage and exit 0 for these
    expect_bench_usage_error({"--benchmark_out_format=xml"}, "json, console, csv");
    expect_bench_usage_error({"--benchmark_time_unit=h"}, "ns, us, ms, s");
    expect_bench_usage_error({"--benchmark_repetitions=many"}, "takes a number");
}

TEST(BenchErrors, AFilterMatchingNoCaseIsAUsageError) {
    expect_bench_usage_error({"--quick", "--iterations", "1", "--benchmark_filter=no-such-case"}, "matches no case");
}

TEST(BenchErrors, BenchmarkOutIsAllOrNothing) {
    TempDir dir;
    const std::string path = dir.path() + "/out.json";
    std::ofstream(path) << "the old run";
    // A run that ends in an error leaves the old file as it was, and no temporary.
    expect_bench_usage_error({"--quick", "--iterations", "1", "--benchmark_filter=no-such-case", "--benchmark_out=" + path},
                       "matches no case");
    EXPECT_EQ(read_file(path), "the old run");
    EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
    // A directory that is not there: one line, exit 3, before any case runs.
    Result missing = run_tool({"bench", "--quick", "--iterations", "1", "--benchmark_out=" + dir.path() + "/no/out.json"});
    EXPECT_EQ(missing.exit_code, 3) << missing.err;
    EXPECT_EQ(missing.out, "");
    EXPECT_EQ(lines_of(missing.err).size(), 1u) << missing.err;
    EXPECT_NE(missing.err.find("cannot write '" + dir.path() + "/no/out.json'"), std::string::npos) << missing.err;
}

TEST(BenchErrors, ASelectionWithNoCaseIsAUsageError) {
    expect_bench_usage_error({"--protocol", "tls1.3", "--group", "rsa"}, "no case");
}

// --list shows what a run would do, so it refuses what a run refuses.
TEST(BenchErrors, ListRefusesWhatARunRefuses) {
    expect_bench_usage_error({"--list", "--protocol", "tls1.3", "--group", "rsa"}, "no case");
    expect_bench_usage_error({"--list", "--benchmark_format=xml"}, "console, json, csv");
    expect_bench_usage_error({"--list", "--benchmark_repetitions=many"}, "takes a number");
    expect_bench_usage_error({"--list", "--benchmark_frobnicate=1"}, "--benchmark_frobnicate");
    expect_bench_usage_error({"--list", "stray"}, "'stray'");
}

TEST(BenchErrors, IanaSuiteNamesSelectToo) {
    Result r = run_tool({"bench", "--list", "--cipher", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const std::string& line : lines_of(r.out)) {
        if (line.find("  skipped: ") != std::string::npos) continue;
        EXPECT_NE(line.find("/ECDHE-RSA-AES128-GCM-SHA256/"), std::string::npos) << line;
    }
    EXPECT_FALSE(r.out.empty());
}

// ---- the default job -----------------------------------------------------------

TEST(BenchDefaultJob, FollowsTheTableWithTheQuickSetInTheSameLayout) {
    Result r = run_tool({});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto lines = lines_of(r.out);
    const std::string title = "------------------------ handshakes per second -------------------------";
    auto at = std::find(lines.begin(), lines.end(), title);
    ASSERT_NE(at, lines.end()) << r.out;
    ASSERT_EQ(title.size(), 72u);
    EXPECT_EQ(*(at - 1), "") << "an empty line before the section";
    int rows = 0;
    for (auto it = at + 1; it != lines.end() && !it->empty(); ++it, ++rows) {
        std::istringstream in(*it);
        std::string name, floor_word;
        double rate = 0;
        in >> name >> rate;
        EXPECT_TRUE(name.starts_with("tls1.")) << *it;
        EXPECT_GT(rate, 0) << *it;
        EXPECT_TRUE(it->ends_with(" floor")) << *it;
    }
    EXPECT_EQ(rows, 8);
    EXPECT_EQ(lines.back(), "") << "the section ends with an empty line";
}

}  // namespace
}  // namespace sslfeatures::testing
