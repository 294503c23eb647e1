// Everything the tool writes lands whole or not at all. Full disks and
// read-only directories are real here, not simulated: each case mounts a tiny
// tmpfs in a private mount namespace (unshare), runs the tool against it and
// copies out what the tool left behind. A read-only mount binds root too, so
// these tests run in CI, which runs as root.
#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include "support/process.hpp"

namespace sslfeatures::testing {
namespace {

namespace fs = std::filesystem;

constexpr int kFailureExit = 3;     // "the environment failed us" (see --help)
const std::string kOld = "old\n";   // what a file held before the tool ran

// What one run inside the namespace produced: the tool's output, and every
// file left in the mounted directory, by name.
struct Outcome {
    Result tool;
    std::map<std::string, std::string> files;
};

enum class Mount { full, read_only };

// One page of tmpfs. The old file takes it, so any new bytes meet ENOSPC;
// without an old file, a set of files fails at its second page.
constexpr const char* kOnePage = "4k";

std::string unshare_command() {
    return ::geteuid() == 0 ? "unshare -m" : "unshare -rm";
}

// The script run in the namespace: $1 the mount point, $2 where to copy the
// results, $3 "ro" or "rw", $4 the tmpfs size, $5 the old files
// (space-separated), then the tool and its arguments.
constexpr const char* kScript = R"(
m=$1 out=$2 mode=$3 size=$4 old=$5
shift 5
mount -t tmpfs -o "size=$size" sslfeatures-test "$m" || exit 97
for f in $old; do printf 'old\n' > "$m/$f" || exit 98; done
if [ "$mode" = ro ]; then mount -o remount,ro "$m" || exit 99; fi
"$@" > "$out/stdout" 2> "$out/stderr"
echo $? > "$out/rc"
mkdir "$out/files" && cp -a "$m/." "$out/files/"
)";

// Whether this machine lets us mount a tmpfs in a private namespace.
bool namespaces_work() {
    static const bool works = [] {
        TempDir dir;
        Result r = run({"sh", "-c", unshare_command() + " sh -c 'mount -t tmpfs -o size=4k t \"$0\"' " + dir.path()});
        return r.exit_code == 0;
    }();
    return works;
}

Outcome run_on_mount(Mount mount, const std::vector<std::string>& old_files,
                     const std::vector<std::string>& args, const TempDir& target, const char* size = kOnePage) {
    TempDir results;
    std::string old;
    for (const std::string& f : old_files) old += f + " ";
    std::vector<std::string> argv = {"sh", "-c", unshare_command() + " sh -c \"$0\" sh \"$@\"", kScript,
                                     target.path(), results.path(), mount == Mount::read_only ? "ro" : "rw",
                                     size, old, env_or_fail("SSLFEATURES_BIN")};
    argv.insert(argv.end(), args.begin(), args.end());
    Result shell = run(argv);
    Outcome o;
    if (shell.exit_code != 0) {
        ADD_FAILURE() << "the namespace script failed (" << shell.exit_code << "): " << shell.err;
        return o;
    }
    o.tool.exit_code = std::stoi(read_file(results.path() + "/rc"));
    o.tool.out = read_file(results.path() + "/stdout");
    o.tool.err = read_file(results.path() + "/stderr");
    for (const auto& e : fs::directory_iterator(results.path() + "/files")) {
        o.files[e.path().filename().string()] = read_file(e.path().string());
    }
    return o;
}

// A command that writes one file, with "@" standing for the file's path.
struct Writer {
    std::string name;
    std::vector<std::string> args;

    std::vector<std::string> args_for(const std::string& path) const {
        std::vector<std::string> out = args;
        std::replace(out.begin(), out.end(), std::string("@"), path);
        return out;
    }
};

// A snapshot the diff writer can read, made once per suite by the fixture.
struct SnapshotFile {
    TempDir dir;
    std::string path = dir.path() + "/snapshot.json";
    Result made = run_tool({"snapshot", "-o", path});
};

std::vector<Writer> single_file_writers(const std::string& snapshot) {
    return {
        {"features", {"features", "-o", "@"}},
        {"features_json", {"features", "-f", "json", "-o", "@"}},
        {"defaults", {"defaults", "-o", "@"}},
        {"snapshot", {"snapshot", "-o", "@"}},
        {"diff", {"diff", snapshot, snapshot, "-o", "@"}},
    };
}

// One line on stderr that names the file; nothing on stdout.
void expect_one_line_naming(const Result& r, const std::string& path, const std::string& reason) {
    EXPECT_EQ(r.exit_code, kFailureExit) << r.err;
    EXPECT_EQ(lines_of(r.err).size(), 1u) << r.err;
    EXPECT_NE(r.err.find("'" + path + "'"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(reason), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
}

// Tests that run every single-file writer; a failed snapshot fails each of
// them with its message.
class WithWriters : public ::testing::Test {
  protected:
    static void SetUpTestSuite() { snapshot_ = std::make_unique<SnapshotFile>(); }
    static void TearDownTestSuite() { snapshot_.reset(); }
    void SetUp() override {
        ASSERT_EQ(snapshot_->made.exit_code, 0) << "sslfeatures snapshot failed: " << snapshot_->made.err;
    }
    static std::vector<Writer> writers() { return single_file_writers(snapshot_->path); }

  private:
    static inline std::unique_ptr<SnapshotFile> snapshot_;
};

// Tests on a tmpfs of their own (full, read-only).
class Files : public WithWriters {
  protected:
    void SetUp() override {
        WithWriters::SetUp();
        if (HasFatalFailure()) return;
        if (!namespaces_work()) GTEST_SKIP() << "cannot mount a tmpfs in a private mount namespace here (unshare -m)";
    }
};

using FilesAnywhere = WithWriters;

// Each single-file writer against an old file on the mount: one line with
// the system's reason, and the old file alone, byte for byte.
void expect_every_writer_keeps_the_old_file(const std::vector<Writer>& writers, Mount mount,
                                            const std::string& reason) {
    for (const Writer& w : writers) {
        SCOPED_TRACE(w.name);
        TempDir mount_point;
        const std::string path = mount_point.path() + "/out";
        Outcome o = run_on_mount(mount, {"out"}, w.args_for(path), mount_point);
        expect_one_line_naming(o.tool, path, reason);
        EXPECT_EQ(o.files, (std::map<std::string, std::string>{{"out", kOld}}));
    }
}

TEST_F(Files, AFullDiskLeavesTheOldFileAsItWasAndNoTemporary) {
    expect_every_writer_keeps_the_old_file(writers(), Mount::full, "No space left on device");
}

TEST_F(Files, AReadOnlyDirectoryLeavesTheOldFileAsItWas) {
    expect_every_writer_keeps_the_old_file(writers(), Mount::read_only, "Read-only file system");
}

TEST_F(Files, ThePkiFilesLandTogetherOrNotAtAll) {
    // Two pages: ca.crt and ca.key are staged, localhost.pem meets a full
    // disk, and neither of the first two may be left behind.
    TempDir mount_point;
    Outcome o = run_on_mount(Mount::full, {}, {"pki", mount_point.path(), "--key", "ecdsa-p256"}, mount_point, "8k");
    expect_one_line_naming(o.tool, mount_point.path() + "/localhost.pem", "No space left on device");
    EXPECT_TRUE(o.files.empty()) << o.files.size() << " files left, first " << o.files.begin()->first;

    TempDir read_only;
    Outcome ro = run_on_mount(Mount::read_only, {}, {"pki", read_only.path(), "--key", "ecdsa-p256"}, read_only);
    expect_one_line_naming(ro.tool, read_only.path() + "/ca.crt", "Read-only file system");
    EXPECT_TRUE(ro.files.empty());
}

TEST_F(Files, ABenchReportAndItsChartLandTogetherOrNotAtAll) {
    // One page: the JSON report is staged, the chart meets a full disk.
    TempDir mount_point;
    const std::string report = mount_point.path() + "/out.json";
    const std::string chart = mount_point.path() + "/chart.svg";
    Outcome o = run_on_mount(Mount::full, {},
                             {"bench", "--quick", "--protocol", "tls1.3", "--mode", "full", "--iterations", "1",
                              "--benchmark_format=json", "--benchmark_out=" + report, "--svg", chart},
                             mount_point);
    EXPECT_EQ(o.tool.exit_code, kFailureExit) << o.tool.err;
    EXPECT_NE(o.tool.err.find("'" + chart + "'"), std::string::npos) << o.tool.err;
    EXPECT_NE(o.tool.err.find("No space left on device"), std::string::npos) << o.tool.err;
    EXPECT_TRUE(o.files.empty()) << o.files.size() << " files left, first " << o.files.begin()->first;

    // Read-only: refused before any case runs, so the run costs nothing.
    TempDir read_only;
    Outcome ro = run_on_mount(Mount::read_only, {}, {"bench", "--quick", "--benchmark_out=" + read_only.path() + "/out.json"},
                              read_only);
    expect_one_line_naming(ro.tool, read_only.path() + "/out.json", "Read-only file system");
    EXPECT_TRUE(ro.files.empty());
}

TEST_F(FilesAnywhere, AMissingParentIsOneLineAndNoFile) {
    for (const Writer& w : writers()) {
        SCOPED_TRACE(w.name);
        TempDir dir;
        const std::string path = dir.path() + "/missing/out";
        Result r = run_tool(w.args_for(path));
        expect_one_line_naming(r, path, "No such file or directory");
        EXPECT_FALSE(fs::exists(dir.path() + "/missing"));
    }
}

// A full standard output: paths_test.cpp (FullStdout), on a device of its own.

}  // namespace
}  // namespace sslfeatures::testing
