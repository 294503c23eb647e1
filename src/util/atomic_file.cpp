#include "util/atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "cli/exit_codes.hpp"

namespace sslfeatures::util {
namespace {

[[noreturn]] void fail(const std::string& path, std::string_view doing, int err) {
    throw cli::Error(cli::kFailure,
                     fmt::format("cannot write '{}': {} failed: {} (check that the directory "
                                 "exists, is writable and has space)",
                                 path, doing, std::strerror(err)));
}

// Removes the temporary file unless it was renamed into place.
class TempFile {
  public:
    explicit TempFile(std::string path) : path_(std::move(path)) {}
    ~TempFile() {
        if (fd_ >= 0) ::close(fd_);
        if (!committed_) ::unlink(path_.c_str());
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    int& fd() { return fd_; }
    const std::string& path() const { return path_; }
    void commit() { committed_ = true; }

  private:
    std::string path_;
    int fd_ = -1;
    bool committed_ = false;
};

}  // namespace

void write_file_atomically(const std::string& path, std::string_view contents, unsigned mode) {
    std::string pattern = path + ".tmp.XXXXXX";
    int fd = ::mkstemp(pattern.data());
    if (fd < 0) fail(path, "creating a temporary file", errno);
    TempFile tmp(pattern);
    tmp.fd() = fd;
    if (::fchmod(fd, static_cast<mode_t>(mode)) != 0) fail(path, "chmod", errno);

    const char* data = contents.data();
    std::size_t left = contents.size();
    while (left > 0) {
        ssize_t n = ::write(fd, data, left);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail(path, "write", errno);
        data += n;
        left -= static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) fail(path, "fsync", errno);
    int closing = fd;
    tmp.fd() = -1;
    if (::close(closing) != 0) fail(path, "close", errno);
    if (::rename(tmp.path().c_str(), path.c_str()) != 0) fail(path, "rename", errno);
    tmp.commit();
}

}  // namespace sslfeatures::util
