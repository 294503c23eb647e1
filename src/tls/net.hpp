// Plain TCP for the client, the server and the bench: resolve, connect,
// listen and accept with deadlines, over IPv4 and IPv6. Failures throw
// Error with the exit code of their cause (refused, does not resolve,
// timeout).
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

// A listening socket that knows its own address: the server's, and the
// bench's on a loopback port. It never blocks: accept() takes a pending
// connection at once and waits only when there is none.
class Listener {
  public:
    // Listens on host:port; "" means every interface (IPv6 and IPv4 together
    // where the system allows). Port 0 picks a free port: see port().
    Listener(const std::string& host, int port, int backlog = 64);

    // The next connection (non-blocking, close-on-exec), or an empty Socket
    // when none came by the deadline or a signal cut the wait short: the
    // caller looks at why it woke. `from`, if given, gets the peer's address.
    Socket accept(Deadline deadline, Endpoint* from = nullptr) const;

    // A new connection from this process to the listener, without a name
    // lookup: for the bench, which plays both ends over loopback.
    Socket connect_to_self() const;

    int port() const { return port_; }

  private:
    Socket socket_;
    sockaddr_storage address_{};
    socklen_t address_len_ = 0;
    int port_ = 0;
};

// Both ends of one TCP connection inside this process.
struct SocketPair {
    Socket client;
    Socket server;
};

// A connection to `listener` (on a loopback address) and its accepted end,
// ready for two SSLs that shake hands with each other: non-blocking, Nagle
// off (a handshake's small records must not wait), and the client's end reset
// on close rather than left in TIME_WAIT, which thousands of connections a
// second would fill the port range with. Empty sockets on failure.
SocketPair loopback_pair(const Listener& listener);

// Waits until fd is readable (or writable); false on timeout.
bool wait_fd(int fd, bool for_write, Deadline deadline);

}  // namespace sslfeatures::tls
