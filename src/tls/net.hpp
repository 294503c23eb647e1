// Plain TCP for the client and server: resolve, connect and listen with
// deadlines, over IPv4 and IPv6. Failures throw cli::Error with the exit code
// of their cause (refused, does not resolve, timeout).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <sys/socket.h>

namespace sslfeatures::tls {

// Owns a file descriptor.
class Socket {
  public:
    Socket() = default;
    explicit Socket(int fd) : fd_(fd) {}
    ~Socket();
    Socket(Socket&& other) noexcept : fd_(other.release()) {}
    Socket& operator=(Socket&& other) noexcept;
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;

    int fd() const { return fd_; }
    int release() { int fd = fd_; fd_ = -1; return fd; }
    explicit operator bool() const { return fd_ >= 0; }

  private:
    int fd_ = -1;
};

// A numeric address and port, printed the way Python prints a socket address.
struct Endpoint {
    std::string host;  // numeric, without brackets
    int port = 0;
    std::string python_repr() const;  // ('127.0.0.1', 1060)
};

Endpoint endpoint_of(const sockaddr* addr, socklen_t len);
Endpoint local_endpoint(int fd);

// When a step must be done by, and the option that set the limit, so that a
// timeout's message names the option to raise (--timeout, --idle-timeout).
struct Deadline {
    std::chrono::steady_clock::time_point at;
    std::string_view option;
};
Deadline deadline_after(std::chrono::milliseconds timeout, std::string_view option);
// Milliseconds left until the deadline, at least 0, for poll().
int millis_left(Deadline deadline);

// Connects to host:port, trying each address the name resolves to.
Socket connect_tcp(const std::string& host, int port, Deadline deadline);

// Listens on host:port; "" means every interface (IPv6 and IPv4 together
// where the system allows). Port 0 picks a free port: see local_endpoint().
Socket listen_tcp(const std::string& host, int port, int backlog = 64);

// Waits until fd is readable (or writable); false on timeout.
bool wait_fd(int fd, bool for_write, Deadline deadline);

}  // namespace sslfeatures::tls
