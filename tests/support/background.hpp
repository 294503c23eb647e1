// A program left running while a test talks to it, such as `openssl s_server`.
// It gets its own process group, and the whole group is killed when the object
// goes away, so a failing test leaves no server behind.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "support/process.hpp"

namespace sslfeatures::testing {

class Background {
  public:
    // argv[0] is looked up in PATH. Its stdin stays open (and silent) until
    // it is finished, because some servers quit when they read end of file.
    explicit Background(const std::vector<std::string>& argv);
    ~Background();
    Background(const Background&) = delete;
    Background& operator=(const Background&) = delete;

    // Reads its output (stdout and stderr together) until a line starts with
    // `prefix` and returns that line; "" when it exits or `timeout` passes first.
    std::string wait_for_line(std::string_view prefix, std::chrono::milliseconds timeout);

    // Waits up to `timeout` for it to exit on its own, then kills it. `out`
    // holds everything it printed; `exit_code` is 128 + signal when killed.
    Result finish(std::chrono::milliseconds timeout);

  private:
    // Appends what arrives before `deadline`; false on end of file or timeout.
    bool read_more(std::chrono::steady_clock::time_point deadline);
    void kill_and_reap();

    pid_t pid_ = -1;
    int out_fd_ = -1;
    int in_fd_ = -1;
    bool reaped_ = false;
    int status_ = 0;
    std::string output_;
    std::size_t scanned_ = 0;  // output_ before this offset holds no wanted line
};

}  // namespace sslfeatures::testing
