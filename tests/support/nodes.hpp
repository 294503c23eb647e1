// Special files for tests of where output lands, made in a test's own
// directory with mknod, mkfifo and bind: the real /dev nodes are never
// touched, not even by a tool that would wrongly replace them.
#pragma once

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace sslfeatures::testing {

// A character device with the numbers of /dev/null (1,3) or /dev/full (1,7).
// Returns "" once it behaves as the real one does, or why it cannot be made
// or used here (not root, a nodev mount): a reason for GTEST_SKIP.
std::string make_null_device(const std::string& path);
std::string make_full_device(const std::string& path);

// What lstat says `path` is: "device 1,3", "fifo", "socket", "symlink to
// TARGET", "file", "directory", or "missing".
std::string node_kind(const std::string& path);

// The names in a directory, sorted: what a command left there.
std::vector<std::string> names_in(const std::string& dir);

// A FIFO at `path` and a reader, open before any writer comes (so a writer
// never waits) and reading all along (so a long text never fills the pipe).
class FifoReader {
  public:
    explicit FifoReader(const std::string& path);
    ~FifoReader();
    FifoReader(const FifoReader&) = delete;
    FifoReader& operator=(const FifoReader&) = delete;

    bool ok() const { return fd_ >= 0; }
    // Everything written to the FIFO. Call once the writers have ended.
    std::string text();

  private:
    void read_until_done();

    int fd_ = -1;
    std::atomic<bool> writers_done_{false};
    std::string text_;
    std::thread thread_;
};

// A Unix socket bound (and listening) at `path` for the object's lifetime.
class BoundSocket {
  public:
    explicit BoundSocket(const std::string& path);
    ~BoundSocket();
    BoundSocket(const BoundSocket&) = delete;
    BoundSocket& operator=(const BoundSocket&) = delete;
    bool ok() const { return fd_ >= 0; }

  private:
    int fd_ = -1;
};

// argv that runs `command` with standard output redirected by a shell, as
// `command > file` (or `>> file`) would.
std::vector<std::string> with_stdout_to(const std::string& file, const std::vector<std::string>& command,
                                        bool append = false);

}  // namespace sslfeatures::testing
