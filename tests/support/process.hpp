// Runs a program and captures what it prints, for end-to-end tests of the
// real binary.
#pragma once

#include <string>
#include <vector>

namespace sslfeatures::testing {

struct Result {
    int exit_code = -1;  // 128 + signal number when killed by a signal
    std::string out;
    std::string err;
};

// argv[0] is looked up in PATH when it has no '/'. `input` goes to stdin.
Result run(const std::vector<std::string>& argv, const std::string& input = {});

// The sslfeatures binary under test (from $SSLFEATURES_BIN), with arguments.
Result run_tool(const std::vector<std::string>& args);

std::vector<std::string> lines_of(const std::string& text);

// A value a test needs from the environment meson sets; fails the test if unset.
std::string env_or_fail(const char* name);

// A fresh directory under $TMPDIR, removed when the object goes away.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& text);

}  // namespace sslfeatures::testing

#include <chrono>
#include <regex>

namespace sslfeatures::testing {

// A program running in the background (a server), read while it runs and
// stopped when the object goes away.
class Background {
  public:
    explicit Background(const std::vector<std::string>& argv, const std::string& input = {});
    ~Background();
    Background(const Background&) = delete;
    Background& operator=(const Background&) = delete;

    // Waits until stdout+stderr (merged) holds a match; returns the match's
    // first group (or whole match), or "" after the timeout.
    std::string wait_for(const std::regex& re, std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Sends SIGTERM (or the given signal), waits, and returns the exit code.
    int stop(int signal = 15, std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Waits for the program to end by itself.
    int wait(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    void close_stdin();
    // Reads what the program has printed so far, without waiting for more.
    void read_available();
    const std::string& output() const { return output_; }
    int pid() const { return pid_; }

  private:
    void pump(int timeout_ms);
    int pid_ = -1;
    int out_fd_ = -1;
    int in_fd_ = -1;
    int exit_code_ = -1;
    std::string output_;
};

// A TCP port on 127.0.0.1 that nothing listens on (connections are refused).
int refused_port();
// A port that was free a moment ago, for peers that cannot pick their own.
int free_port();

}  // namespace sslfeatures::testing
