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
