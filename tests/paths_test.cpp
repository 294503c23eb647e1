// What -o FILE, --svg FILE, --benchmark_out=FILE and pki's files do when the
// path is not a regular file: a symlink is written through to its target, a
// device or FIFO is written in place, a directory or socket is refused; and
// what every command does when standard output cannot be written. Devices,
// FIFOs and sockets are made in each test's own directory (support/nodes):
// the real /dev nodes are never touched.
#include <filesystem>
#include <regex>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include "support/certs.hpp"
#include "support/nodes.hpp"
#include "support/process.hpp"

namespace sslfeatures::testing {
namespace {

using namespace std::chrono_literals;
using Names = std::vector<std::string>;

constexpr int kUsageExit = 2;
constexpr int kFailureExit = 3;
const std::string kOld = "old\n";  // what a file held before the tool ran
const std::string kNoSpace = "No space left on device";

// A command that writes one file, "@" standing for its path, and a piece of
// text its output always holds.
struct Writer {
    std::string name;
    std::vector<std::string> args;
    std::string marker;

    std::vector<std::string> args_for(const std::string& path) const {
        std::vector<std::string> out = args;
        for (std::string& a : out) {
            if (const auto at = a.find('@'); at != std::string::npos) a.replace(at, 1, path);
        }
        return out;
    }
};

// One TLS 1.3 case, one handshake: the bench writers cost a fraction of a second.
std::vector<std::string> one_bench_case(std::vector<std::string> extra) {
    std::vector<std::string> args{"bench", "--quick", "--protocol", "tls1.3", "--mode", "full",
                                  "--key", "ecdsa-p256", "--iterations", "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

std::vector<Writer> writers() {
    return {
        {"features", {"features", "-o", "@"}, "SSL2_VERSION"},
        {"defaults", {"defaults", "-o", "@"}, "secure client"},
        {"snapshot", {"snapshot", "-o", "@"}, "\"schema\": \"sslfeatures/snapshot\""},
        {"diff", {"diff", "openssl-3.0.22", "openssl-3.0.22", "-o", "@"}, "no differences"},
        {"bench_svg", one_bench_case({"--svg", "@"}), "<svg"},
        {"bench_out", one_bench_case({"--benchmark_out=@"}), "\"benchmarks\""},
    };
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The lines of ours on stderr; a bench run also has Google Benchmark's
// context there (date, CPUs) before the error.
std::size_t our_lines(const std::string& err) {
    std::size_t n = 0;
    for (const std::string& line : lines_of(err)) n += line.starts_with("sslfeatures: ");
    return n;
}

// Exit 3 and one line on stderr naming the path and the reason.
void expect_failure_naming(const Result& r, const std::string& path, const std::string& reason) {
    EXPECT_EQ(r.exit_code, kFailureExit) << r.err;
    EXPECT_EQ(our_lines(r.err), 1u) << r.err;
    EXPECT_TRUE(contains(r.err, "'" + path + "'")) << r.err;
    EXPECT_TRUE(contains(r.err, reason)) << r.err;
}

void symlink_or_fail(const std::string& target, const std::string& link) {
    ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0) << link;
}

// ---- one file: devices, FIFOs, sockets, directories ----

TEST(OutputPaths, ANullDeviceIsWrittenInPlaceAndStaysADevice) {
    for (const Writer& w : writers()) {
        SCOPED_TRACE(w.name);
        TempDir dir;
        const std::string path = dir.path() + "/null";
        if (const std::string why = make_null_device(path); !why.empty()) GTEST_SKIP() << why;
        Result r = run_tool(w.args_for(path));
        EXPECT_EQ(r.exit_code, 0) << r.err;
        EXPECT_EQ(node_kind(path), "device 1,3");
        EXPECT_EQ(names_in(dir.path()), Names{"null"});  // no temporary file beside it
    }
}

TEST(OutputPaths, AFullDeviceIsExit3WithOneLineAndStaysADevice) {
    for (const Writer& w : writers()) {
        SCOPED_TRACE(w.name);
        TempDir dir;
        const std::string path = dir.path() + "/full";
        if (const std::string why = make_full_device(path); !why.empty()) GTEST_SKIP() << why;
        expect_failure_naming(run_tool(w.args_for(path)), path, kNoSpace);
        EXPECT_EQ(node_kind(path), "device 1,7");
        EXPECT_EQ(names_in(dir.path()), Names{"full"});
    }
}

TEST(OutputPaths, AFifoIsWrittenInPlaceForItsReader) {
    for (const Writer& w : writers()) {
        SCOPED_TRACE(w.name);
        TempDir dir;
        const std::string path = dir.path() + "/fifo";
        FifoReader reader(path);
        ASSERT_TRUE(reader.ok()) << "mkfifo or open failed";
        Result r = run_tool(w.args_for(path));
        EXPECT_EQ(r.exit_code, 0) << r.err;
        EXPECT_TRUE(contains(reader.text(), w.marker));
        EXPECT_EQ(node_kind(path), "fifo");
        EXPECT_EQ(names_in(dir.path()), Names{"fifo"});
    }
}

TEST(OutputPaths, ASocketIsExit3NamingItAndStaysASocket) {
    for (const Writer& w : writers()) {
        SCOPED_TRACE(w.name);
        TempDir dir;
        const std::string path = dir.path() + "/sock";
        BoundSocket socket(path);
        if (!socket.ok()) GTEST_SKIP() << "cannot bind a Unix socket here";
        expect_failure_naming(run_tool(w.args_for(path)), path, "socket");
        EXPECT_EQ(node_kind(path), "socket");
        EXPECT_EQ(names_in(dir.path()), Names{"sock"});
    }
}

// Unchanged behaviour, kept as a guard: the new path resolution must not
// write into a directory or beside it.
TEST(OutputPaths, ADirectoryIsExit3NamingIt) {
    for (const Writer& w : writers()) {
        SCOPED_TRACE(w.name);
        TempDir dir;
        const std::string path = dir.path() + "/out";
        ASSERT_EQ(::mkdir(path.c_str(), 0755), 0);
        expect_failure_naming(run_tool(w.args_for(path)), path, "directory");
        EXPECT_EQ(node_kind(path), "directory");
        EXPECT_EQ(names_in(dir.path()), Names{"out"});
        EXPECT_TRUE(names_in(path).empty());
    }
}

// ---- one file: symlinks ----

// How `out` reaches `target/real`: the link texts, the first one being out's.
struct LinkLayout {
    std::string name;
    std::vector<std::string> chain;  // out -> chain[0]; chain[i] names the next link, in links/
};

TEST(OutputPaths, ASymlinkIsWrittenThroughToItsTargetAndStays) {
    for (const Writer& w : writers()) {
        TempDir dir;
        const std::string target_dir = dir.path() + "/target";
        const std::string real = target_dir + "/real";
        const std::vector<LinkLayout> layouts = {
            {"relative", {"target/real"}},
            {"absolute", {real}},
            {"chained", {"links/hop1", "../target/real"}},  // out -> links/hop1 -> ../target/real
        };
        for (const LinkLayout& layout : layouts) {
            SCOPED_TRACE(w.name + ", " + layout.name);
            std::filesystem::remove_all(dir.path() + "/links");
            std::filesystem::remove_all(target_dir);
            std::filesystem::remove(dir.path() + "/out");
            std::filesystem::create_directories(dir.path() + "/links");
            std::filesystem::create_directories(target_dir);
            write_file(real, kOld);
            symlink_or_fail(layout.chain[0], dir.path() + "/out");
            if (layout.chain.size() > 1) symlink_or_fail(layout.chain[1], dir.path() + "/links/hop1");

            Result r = run_tool(w.args_for(dir.path() + "/out"));
            EXPECT_EQ(r.exit_code, 0) << r.err;
            EXPECT_EQ(node_kind(dir.path() + "/out"), "symlink to " + layout.chain[0]);
            EXPECT_EQ(node_kind(real), "file");
            EXPECT_TRUE(contains(read_file(real), w.marker));
            EXPECT_EQ(names_in(target_dir), Names{"real"});  // staged there, renamed, nothing left
        }
    }
}

TEST(OutputPaths, ADanglingSymlinkCreatesItsTarget) {
    for (const Writer& w : writers()) {
        SCOPED_TRACE(w.name);
        TempDir dir;
        std::filesystem::create_directories(dir.path() + "/target");
        symlink_or_fail("target/new", dir.path() + "/out");
        Result r = run_tool(w.args_for(dir.path() + "/out"));
        EXPECT_EQ(r.exit_code, 0) << r.err;
        EXPECT_EQ(node_kind(dir.path() + "/out"), "symlink to target/new");
        EXPECT_TRUE(contains(read_file(dir.path() + "/target/new"), w.marker));
        EXPECT_EQ(names_in(dir.path() + "/target"), Names{"new"});
    }
}

TEST(OutputPaths, ADanglingSymlinkIntoAMissingDirectoryIsExit3NamingIt) {
    for (const Writer& w : writers()) {
        SCOPED_TRACE(w.name);
        TempDir dir;
        const std::string out = dir.path() + "/out";
        symlink_or_fail("missing/new", out);
        const Result r = run_tool(w.args_for(out));
        expect_failure_naming(r, out, "No such file or directory");
        EXPECT_TRUE(contains(r.err, "'" + dir.path() + "/missing'")) << r.err;
        EXPECT_EQ(node_kind(out), "symlink to missing/new");
        EXPECT_EQ(names_in(dir.path()), Names{"out"});
    }
}

TEST(OutputPaths, ALoopOfSymlinksIsExit3AndStays) {
    TempDir dir;
    const std::string out = dir.path() + "/out";
    symlink_or_fail("back", out);
    symlink_or_fail("out", dir.path() + "/back");
    expect_failure_naming(run_tool({"features", "-o", out}), out, "Too many levels of symbolic links");
    EXPECT_EQ(node_kind(out), "symlink to back");
    EXPECT_EQ(node_kind(dir.path() + "/back"), "symlink to out");
}

// /dev/stdout is a link to /proc/self/fd/1: a link of our own to the same
// place behaves alike without naming anything in /dev.
TEST(OutputPaths, StandardOutputByNameIsWrittenInPlace) {
    for (const Writer& w : writers()) {
        SCOPED_TRACE(w.name);
        TempDir dir;
        const std::string out = dir.path() + "/stdout";
        symlink_or_fail("/proc/self/fd/1", out);

        Result to_pipe = run_tool(w.args_for(out));  // our stdout is a pipe to the test
        EXPECT_EQ(to_pipe.exit_code, 0) << to_pipe.err;
        EXPECT_TRUE(contains(to_pipe.out, w.marker));

        // A file the shell opened (`> file`, `>> file`): written through the
        // shell's open file, after what it held, never renamed over.
        const std::string file = dir.path() + "/file";
        write_file(file, kOld);
        struct stat before {};
        ASSERT_EQ(::stat(file.c_str(), &before), 0);
        std::vector<std::string> command = w.args_for(out);
        command.insert(command.begin(), env_or_fail("SSLFEATURES_BIN"));
        Result appended = run(with_stdout_to(file, command, true));
        EXPECT_EQ(appended.exit_code, 0) << appended.err;
        struct stat after {};
        ASSERT_EQ(::stat(file.c_str(), &after), 0);
        EXPECT_EQ(after.st_ino, before.st_ino);
        const std::string text = read_file(file);
        EXPECT_EQ(text.substr(0, kOld.size()), kOld);
        EXPECT_TRUE(contains(text, w.marker));
        EXPECT_EQ(node_kind(out), "symlink to /proc/self/fd/1");
        EXPECT_EQ(names_in(dir.path()), (Names{"file", "stdout"}));
    }
}

// ---- sets of files: pki's three, bench's report and chart ----

void write_old_pki(const std::string& dir) {
    std::filesystem::create_directories(dir);
    write_file(dir + "/ca.crt", kOld);
    write_file(dir + "/ca.key", kOld);
}

TEST(OutputSets, PkiWritesThroughALinkAndIntoADevice) {
    TempDir dir;
    const std::string pki = dir.path() + "/pki";
    write_old_pki(pki);
    std::filesystem::create_directories(dir.path() + "/keys");
    write_file(dir.path() + "/keys/ca.key", kOld);
    std::filesystem::remove(pki + "/ca.key");
    symlink_or_fail("../keys/ca.key", pki + "/ca.key");
    if (const std::string why = make_null_device(pki + "/localhost.pem"); !why.empty()) GTEST_SKIP() << why;

    Result r = run_tool({"pki", pki, "--force", "--key", "ecdsa-p256"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(read_file(pki + "/ca.crt"), "BEGIN CERTIFICATE"));
    EXPECT_EQ(node_kind(pki + "/ca.key"), "symlink to ../keys/ca.key");
    EXPECT_TRUE(contains(read_file(dir.path() + "/keys/ca.key"), "PRIVATE KEY"));
    struct stat key {};
    ASSERT_EQ(::stat((dir.path() + "/keys/ca.key").c_str(), &key), 0);
    EXPECT_EQ(key.st_mode & 0777, 0600u);
    EXPECT_EQ(node_kind(pki + "/localhost.pem"), "device 1,3");
    EXPECT_EQ(names_in(pki), (Names{"ca.crt", "ca.key", "localhost.pem"}));
    EXPECT_EQ(names_in(dir.path() + "/keys"), Names{"ca.key"});
}

// Devices are written after every regular file is staged and before any is
// renamed: a device that fails leaves the regular files as they were.
TEST(OutputSets, AFullDeviceInASetLeavesTheRegularFilesAsTheyWere) {
    TempDir dir;
    const std::string pki = dir.path() + "/pki";
    write_old_pki(pki);
    if (const std::string why = make_full_device(pki + "/localhost.pem"); !why.empty()) GTEST_SKIP() << why;
    expect_failure_naming(run_tool({"pki", pki, "--force", "--key", "ecdsa-p256"}), pki + "/localhost.pem", kNoSpace);
    EXPECT_EQ(read_file(pki + "/ca.crt"), kOld);
    EXPECT_EQ(read_file(pki + "/ca.key"), kOld);
    EXPECT_EQ(node_kind(pki + "/localhost.pem"), "device 1,7");
    EXPECT_EQ(names_in(pki), (Names{"ca.crt", "ca.key", "localhost.pem"}));

    const std::string report = dir.path() + "/report.json";
    const std::string chart = dir.path() + "/chart";
    write_file(report, kOld);
    ASSERT_EQ(make_full_device(chart), "");
    expect_failure_naming(run_tool(one_bench_case({"--benchmark_out=" + report, "--svg", chart})), chart, kNoSpace);
    EXPECT_EQ(read_file(report), kOld);
    EXPECT_EQ(node_kind(chart), "device 1,7");
}

// Every target is checked before any is replaced: a CA must not land
// without its leaf.
TEST(OutputSets, PkiForceWithADirectoryInTheWayChangesNothing) {
    TempDir dir;
    const std::string pki = dir.path() + "/pki";
    write_old_pki(pki);
    ASSERT_EQ(::mkdir((pki + "/localhost.pem").c_str(), 0755), 0);
    expect_failure_naming(run_tool({"pki", pki, "--force", "--key", "ecdsa-p256"}), pki + "/localhost.pem",
                          "directory");
    EXPECT_EQ(read_file(pki + "/ca.crt"), kOld);
    EXPECT_EQ(read_file(pki + "/ca.key"), kOld);
    EXPECT_EQ(names_in(pki), (Names{"ca.crt", "ca.key", "localhost.pem"}));
    EXPECT_TRUE(names_in(pki + "/localhost.pem").empty());
}

// ---- options ----

TEST(OutputOptions, AnEmptyFileNameIsAUsageErrorNotStandardOutput) {
    const std::vector<std::vector<std::string>> commands = {
        {"features", "-o", ""},
        {"defaults", "--output", ""},
        {"snapshot", "-o", ""},
        {"diff", "openssl-3.0.22", "openssl-3.0.22", "-o", ""},
        one_bench_case({"--svg", ""}),
        one_bench_case({"--benchmark_out="}),
    };
    for (const auto& args : commands) {
        SCOPED_TRACE(args[0] + " " + args[args.size() - 1]);
        Result r = run_tool(args);
        EXPECT_EQ(r.exit_code, kUsageExit) << r.err;
        EXPECT_EQ(lines_of(r.err).size(), 1u) << r.err;
        EXPECT_EQ(r.out, "");
    }
}

// ---- standard output that cannot be written ----

// Exit 3 and the one line every command gives for a full standard output.
void expect_stdout_failure(const std::string& what, int exit_code) {
    EXPECT_EQ(exit_code, kFailureExit) << what;
    EXPECT_EQ(our_lines(what), 1u) << what;
    EXPECT_TRUE(contains(what, "cannot write to standard output: " + kNoSpace)) << what;
}

class FullStdout : public ::testing::Test {
  protected:
    void SetUp() override {
        if (const std::string why = make_full_device(full_); !why.empty()) GTEST_SKIP() << why;
    }
    std::vector<std::string> to_full(std::vector<std::string> args) const {
        args.insert(args.begin(), env_or_fail("SSLFEATURES_BIN"));
        return with_stdout_to(full_, args);
    }
    const TestCerts& certs() const { return TestCerts::get(); }

    TempDir dir_;
    const std::string full_ = dir_.path() + "/full";
};

TEST_F(FullStdout, EveryCommandThatPrintsIsExit3WithOneLine) {
    const std::vector<std::vector<std::string>> commands = {
        {"features"},
        {"defaults"},
        {"snapshot"},
        {"diff", "openssl-3.0.22", "openssl-3.0.22"},
        {"pki", dir_.path() + "/pki", "--key", "ecdsa-p256"},
        {"bench", "--list"},
        one_bench_case({}),
        one_bench_case({"--benchmark_format=json"}),
    };
    for (const auto& args : commands) {
        SCOPED_TRACE(args[0] + " " + args[args.size() - 1]);
        Result r = run(to_full(args));
        expect_stdout_failure(r.err, r.exit_code);
    }
}

TEST_F(FullStdout, TheClientIsExit3WithAndWithoutReport) {
    Background server({env_or_fail("SSLFEATURES_BIN"), "server", "127.0.0.1", "0", "-s", certs().localhost});
    const std::string port = server.wait_for(std::regex("Listening at interface '[^']*' and port (\\d+)\n"));
    ASSERT_FALSE(port.empty()) << server.output();
    for (const bool report : {false, true}) {
        SCOPED_TRACE(report ? "--report" : "no --report");
        std::vector<std::string> args{"client", "127.0.0.1", port, "-a", certs().ca};
        if (report) args.push_back("--report");
        Result r = run(to_full(args));
        expect_stdout_failure(r.err, r.exit_code);
    }
}

TEST_F(FullStdout, TheServerStopsWithExit3) {
    // Without --report, the first line already fails.
    Background plain(to_full({"server", "127.0.0.1", "0", "-s", certs().localhost}));
    const int plain_code = plain.wait(20s);
    expect_stdout_failure(plain.output(), plain_code);

    // With --report the "Listening" line goes to stderr and the report fails;
    // with --once or without, the server ends.
    for (const bool once : {true, false}) {
        SCOPED_TRACE(once ? "--once" : "no --once");
        std::vector<std::string> args{"server", "127.0.0.1", "0", "-s", certs().localhost, "--report"};
        if (once) args.push_back("--once");
        Background server(to_full(args));
        const std::string port = server.wait_for(std::regex("Listening at interface '[^']*' and port (\\d+)\n"));
        ASSERT_FALSE(port.empty()) << server.output();
        // The client's own result depends on when the server gave up: not checked.
        run_tool({"client", "127.0.0.1", port, "-a", certs().ca});
        const int code = server.wait(20s);
        const std::string stderr_text = server.output();
        EXPECT_EQ(code, kFailureExit) << stderr_text;
        EXPECT_TRUE(contains(stderr_text, "sslfeatures: error: cannot write to standard output: " + kNoSpace))
            << stderr_text;
        EXPECT_EQ(lines_of(stderr_text).size(), 2u) << stderr_text;  // "Listening ...", the error
    }
}

}  // namespace
}  // namespace sslfeatures::testing
