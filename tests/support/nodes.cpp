#include "support/nodes.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

namespace sslfeatures::testing {
namespace {

// Makes the device, then writes a byte to it: `expected_errno` 0 for a null
// device, ENOSPC for a full one.
std::string make_device(const std::string& path, unsigned minor, int expected_errno) {
    if (::mknod(path.c_str(), S_IFCHR | 0666, makedev(1, minor)) != 0) {
        return "mknod failed: " + std::string(std::strerror(errno)) + " (the test needs root)";
    }
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return "cannot open a device made here: " + std::string(std::strerror(errno)) + " (a nodev mount?)";
    const bool wrote = ::write(fd, "x", 1) == 1;
    const int err = wrote ? 0 : errno;
    ::close(fd);
    if (err != expected_errno) return "the device made here does not behave as /dev/null or /dev/full";
    return {};
}

}  // namespace

std::string make_null_device(const std::string& path) { return make_device(path, 3, 0); }
std::string make_full_device(const std::string& path) { return make_device(path, 7, ENOSPC); }

std::string node_kind(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return "missing";
    if (S_ISCHR(st.st_mode)) {
        return "device " + std::to_string(major(st.st_rdev)) + "," + std::to_string(minor(st.st_rdev));
    }
    if (S_ISFIFO(st.st_mode)) return "fifo";
    if (S_ISSOCK(st.st_mode)) return "socket";
    if (S_ISLNK(st.st_mode)) return "symlink to " + std::filesystem::read_symlink(path).string();
    if (S_ISDIR(st.st_mode)) return "directory";
    return S_ISREG(st.st_mode) ? "file" : "other";
}

std::vector<std::string> names_in(const std::string& dir) {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

FifoReader::FifoReader(const std::string& path) {
    if (::mkfifo(path.c_str(), 0644) != 0) return;
    // Non-blocking: opening for reading does not wait for a writer, and an
    // open reader lets the writer's open() return at once.
    fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd_ >= 0) thread_ = std::thread([this] { read_until_done(); });
}

FifoReader::~FifoReader() {
    writers_done_ = true;
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) ::close(fd_);
}

// Reads as text arrives. Before the first writer and after the last, read()
// says 0: only once the test says the writers ended does that mean the end.
void FifoReader::read_until_done() {
    char buffer[65536];
    for (;;) {
        const bool done = writers_done_;
        const ssize_t n = ::read(fd_, buffer, sizeof buffer);
        if (n > 0) {
            text_.append(buffer, static_cast<std::size_t>(n));
            continue;
        }
        if (done && (n == 0 || errno != EINTR)) return;
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 20) > 0 && (p.revents & POLLHUP)) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

std::string FifoReader::text() {
    writers_done_ = true;
    if (thread_.joinable()) thread_.join();
    return text_;
}

BoundSocket::BoundSocket(const std::string& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path) return;
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(fd_, 1) != 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

BoundSocket::~BoundSocket() {
    if (fd_ >= 0) ::close(fd_);
}

std::vector<std::string> with_stdout_to(const std::string& file, const std::vector<std::string>& command,
                                        bool append) {
    // $0 is the file, the rest the command: no quoting to get wrong.
    std::vector<std::string> argv{"sh", "-c", append ? "exec \"$@\" >> \"$0\"" : "exec \"$@\" > \"$0\"", file};
    argv.insert(argv.end(), command.begin(), command.end());
    return argv;
}

}  // namespace sslfeatures::testing
