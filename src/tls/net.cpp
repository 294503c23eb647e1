#include "tls/net.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <unistd.h>

#include <fmt/format.h>

#include "util/error.hpp"

namespace sslfeatures::tls {
namespace {

struct AddrInfoList {
    addrinfo* head = nullptr;
    ~AddrInfoList() {
        if (head != nullptr) freeaddrinfo(head);
    }
};

std::string bracketed(const std::string& host) {
    return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

// What to do when bind() or listen() failed, by its cause.
std::string listen_hint(int err, const std::string& host) {
    switch (err) {
        case EADDRNOTAVAIL:
            return fmt::format("'{}' is not an address of this machine; give one of its own, or '' for "
                               "every interface", host);
        case EADDRINUSE: return "the port is in use; pick another, or 0 for a free one";
        case EACCES: return "ports below 1024 need privileges; pick a higher one";
        default: return "is the port in use, or below 1024 without privileges?";
    }
}

}  // namespace

Socket::~Socket() {
    if (fd_ >= 0) ::close(fd_);
}

Socket& Socket::operator=(Socket&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = other.release();
    }
    return *this;
}

std::string Endpoint::python_repr() const {
    return fmt::format("('{}', {})", host, port);
}

Endpoint endpoint_of(const sockaddr* addr, socklen_t len) {
    char host[NI_MAXHOST] = "";
    char port[NI_MAXSERV] = "";
    if (getnameinfo(addr, len, host, sizeof host, port, sizeof port,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        return {};
    }
    std::string h = host;
    // An IPv4 client of a dual-stack listener shows up as ::ffff:a.b.c.d.
    if (h.rfind("::ffff:", 0) == 0 && h.find('.') != std::string::npos) h = h.substr(7);
    return Endpoint{h, std::atoi(port)};
}

Deadline deadline_after(std::chrono::milliseconds timeout, std::string_view option) {
    return {std::chrono::steady_clock::now() + timeout, option};
}

int millis_left(Deadline deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline.at - std::chrono::steady_clock::now());
    return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

bool wait_fd(int fd, bool for_write, Deadline deadline) {
    for (;;) {
        pollfd p{fd, static_cast<short>(for_write ? POLLOUT : POLLIN), 0};
        int n = ::poll(&p, 1, millis_left(deadline));
        if (n > 0) return true;
        if (n == 0) return false;
        if (errno != EINTR) return true;  // let the caller's I/O report it
    }
}

Socket connect_tcp(const std::string& host, int port, Deadline deadline) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG;
    AddrInfoList list;
    const std::string service = std::to_string(port);
    if (int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &list.head); rc != 0) {
        throw Error(kResolve, fmt::format("cannot resolve host '{}': {} (check the name)",
                                                    host, gai_strerror(rc)));
    }
    int last_errno = 0;
    bool timed_out = false;
    for (addrinfo* ai = list.head; ai != nullptr; ai = ai->ai_next) {
        Socket s(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol));
        if (!s) {
            last_errno = errno;
            continue;
        }
        if (::connect(s.fd(), ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
            last_errno = errno;
            continue;
        }
        if (!wait_fd(s.fd(), true, deadline)) {
            timed_out = true;
            break;
        }
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(s.fd(), SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
            last_errno = err;
            continue;
        }
        return s;
    }
    const std::string where = fmt::format("{}:{}", bracketed(host), port);
    if (timed_out) {
        throw Error(kTimeout, fmt::format("timed out connecting to {} (is a firewall "
                                                    "dropping packets? try {})", where, deadline.option));
    }
    if (last_errno == ECONNREFUSED) {
        throw Error(kRefused, fmt::format("connection to {} refused (is the server "
                                                    "running on that port?)", where));
    }
    throw Error(kFailure, fmt::format("cannot connect to {}: {}", where,
                                                std::strerror(last_errno)));
}

namespace {

Socket listen_tcp(const std::string& host, int port, int backlog) {
    addrinfo hints{};
    hints.ai_family = host.empty() ? AF_INET6 : AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    const std::string service = std::to_string(port);
    auto try_listen = [&](const char* node, int family) -> Socket {
        hints.ai_family = family;
        AddrInfoList list;
        if (int rc = getaddrinfo(node, service.c_str(), &hints, &list.head); rc != 0) {
            throw Error(kResolve, fmt::format("cannot resolve interface '{}': {}", host,
                                                        gai_strerror(rc)));
        }
        int last_errno = 0;
        for (addrinfo* ai = list.head; ai != nullptr; ai = ai->ai_next) {
            Socket s(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
            if (!s) {
                last_errno = errno;
                continue;
            }
            int one = 1, zero = 0;
            ::setsockopt(s.fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
            if (ai->ai_family == AF_INET6 && host.empty()) {
                ::setsockopt(s.fd(), IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
            }
            if (::bind(s.fd(), ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(s.fd(), backlog) == 0) {
                return s;
            }
            last_errno = errno;
        }
        errno = last_errno;
        return Socket{};
    };
    Socket s = host.empty() ? try_listen(nullptr, AF_INET6) : try_listen(host.c_str(), AF_UNSPEC);
    if (!s && host.empty()) s = try_listen(nullptr, AF_INET);  // a host without IPv6
    if (!s) {
        const int err = errno;
        throw Error(kFailure, fmt::format("cannot listen on {}:{}: {} ({})",
                                                    host.empty() ? "*" : bracketed(host), port,
                                                    std::strerror(err), listen_hint(err, host)));
    }
    return s;
}

void set_nonblocking(int fd) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

void set_nodelay(int fd) {
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace

Listener::Listener(const std::string& host, int port, int backlog) : socket_(listen_tcp(host, port, backlog)) {
    set_nonblocking(socket_.fd());
    address_len_ = sizeof address_;
    ::getsockname(socket_.fd(), reinterpret_cast<sockaddr*>(&address_), &address_len_);
    port_ = endpoint_of(reinterpret_cast<const sockaddr*>(&address_), address_len_).port;
}

Socket Listener::accept(Deadline deadline, Endpoint* from) const {
    sockaddr_storage peer{};
    socklen_t peer_len = sizeof peer;
    auto take_pending = [&] {
        return Socket(::accept4(socket_.fd(), from != nullptr ? reinterpret_cast<sockaddr*>(&peer) : nullptr,
                                from != nullptr ? &peer_len : nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    };
    Socket s = take_pending();
    if (!s && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        // One wait, not wait_fd()'s loop: a signal must reach the caller.
        pollfd p{socket_.fd(), POLLIN, 0};
        if (::poll(&p, 1, millis_left(deadline)) > 0) s = take_pending();
    }
    // Taken now: a client that resets at once has no peer name later.
    if (s && from != nullptr) *from = endpoint_of(reinterpret_cast<sockaddr*>(&peer), peer_len);
    return s;
}

Socket Listener::connect_to_self() const {
    Socket s(::socket(address_.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (s && ::connect(s.fd(), reinterpret_cast<const sockaddr*>(&address_), address_len_) != 0) return Socket{};
    return s;
}

SocketPair loopback_pair(const Listener& listener) {
    SocketPair pair{listener.connect_to_self(), Socket{}};
    if (!pair.client) return pair;
    const linger reset{1, 0};
    ::setsockopt(pair.client.fd(), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    // The connection is complete on loopback: accept() finds it without waiting.
    pair.server = listener.accept(deadline_after(std::chrono::seconds(1), ""));
    if (!pair.server) return pair;
    set_nodelay(pair.client.fd());
    set_nonblocking(pair.client.fd());
    set_nodelay(pair.server.fd());
    return pair;
}

}  // namespace sslfeatures::tls
