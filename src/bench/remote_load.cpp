#include "bench/remote_load.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>
#include <openssl/err.h>

#include "tls/context.hpp"
#include "tls/errors.hpp"
#include "tls/net.hpp"
#include "util/ossl_ptr.hpp"

namespace sslfeatures::bench {
namespace {

using Clock = std::chrono::steady_clock;

// One in 32 handshakes is checked in full (reading the peer's key and group
// allocates); every one is checked for resumption, which costs nothing.
constexpr std::uint64_t kCheckMask = 31;
// How long a finished connection waits for the server to close after our
// close_notify: a server that keeps it open must not hold a slot for the
// whole --timeout.
constexpr auto kDrainLimit = std::chrono::milliseconds(1000);
// epoll_wait's longest sleep, so that timeouts are seen within this.
constexpr int kWaitMs = 5;

enum class Phase { idle, connecting, handshaking, draining };

struct Slot {
    tls::Socket socket;
    SslPtr ssl;
    tls::PeerMessages messages;  // for the cause of a failure, as our client reads it
    Phase phase = Phase::idle;
    std::uint32_t events = 0;  // what epoll watches for now
    Clock::time_point started;
    Clock::time_point deadline;
};

void set_option(int fd, int level, int name, const void* value, socklen_t size) {
    ::setsockopt(fd, level, name, value, size);  // best effort: a failure costs speed, not correctness
}

class Load {
  public:
    explicit Load(const LoadPlan& plan)
        : plan_(plan), epoll_(::epoll_create1(EPOLL_CLOEXEC)), slots_(static_cast<std::size_t>(std::max(1, plan.concurrency))) {
        if (!epoll_) throw Error(kFailure, fmt::format("cannot create an epoll instance: {}", std::strerror(errno)));
    }

    LoadResult run() {
        const Clock::time_point start = Clock::now();
        stop_at_ = start + std::chrono::duration_cast<Clock::duration>(plan_.duration);
        for (std::size_t i = 0; i < slots_.size(); ++i) free_.push_back(i);
        launch_free_slots();
        std::vector<epoll_event> events(slots_.size());
        while (active_ > 0) {
            const int n = ::epoll_wait(epoll_.fd(), events.data(), static_cast<int>(events.size()), kWaitMs);
            for (int k = 0; k < n; ++k) advance(static_cast<std::size_t>(events[static_cast<std::size_t>(k)].data.u64));
            expire();
            launch_free_slots();
        }
        result_.wall_s = std::chrono::duration<double>(Clock::now() - start).count();
        return std::move(result_);
    }

  private:
    // A loop, not a call from release(): a server that refuses at once would
    // otherwise nest one call per attempt.
    void launch_free_slots() {
        while (!free_.empty()) {
            const bool budget_left =
                plan_.max_handshakes <= 0 || result_.attempts < static_cast<std::uint64_t>(plan_.max_handshakes);
            if (!budget_left || Clock::now() >= stop_at_) return;
            const std::size_t i = free_.back();
            free_.pop_back();
            launch(i);
        }
    }

    void launch(std::size_t i) {
        ++result_.attempts;
        ++active_;
        Slot& slot = slots_[i];
        slot.started = Clock::now();
        slot.deadline = slot.started + plan_.timeout;
        const auto* addr = reinterpret_cast<const sockaddr*>(&plan_.address.storage);
        slot.socket = tls::Socket(::socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        if (!slot.socket) return fail(i, kFailure, fmt::format("cannot create a socket: {}", std::strerror(errno)));
        const int one = 1;
        set_option(slot.socket.fd(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // a handshake's small records must not wait
        slot.events = 0;
        if (::connect(slot.socket.fd(), addr, plan_.address.length) == 0) return begin_tls(i);
        if (errno != EINPROGRESS) return fail_connect(i, errno);
        slot.phase = Phase::connecting;
        watch(i, EPOLLOUT);
    }

    void advance(std::size_t i) {
        switch (slots_[i].phase) {
            case Phase::connecting: return connected(i);
            case Phase::handshaking: return step(i);
            case Phase::draining: return drain(i);
            case Phase::idle: return;
        }
    }

    void connected(std::size_t i) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(slots_[i].socket.fd(), SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) return fail_connect(i, err);
        begin_tls(i);
    }

    void begin_tls(std::size_t i) {
        Slot& slot = slots_[i];
        slot.ssl.reset(SSL_new(plan_.context));
        if (!slot.ssl || SSL_set_fd(slot.ssl.get(), slot.socket.fd()) != 1) {
            return fail(i, kFailure, "cannot create a TLS connection: " + openssl_error_text());
        }
        SSL_set_connect_state(slot.ssl.get());
        try {
            tls::expect_peer_name(slot.ssl.get(), plan_.host);
        } catch (const Error& e) {
            return fail(i, e.code(), e.what());
        }
        if (plan_.session != nullptr) SSL_set_session(slot.ssl.get(), plan_.session);
        slot.messages = tls::PeerMessages{};
        slot.messages.install(slot.ssl.get());
        slot.phase = Phase::handshaking;
        step(i);
    }

    void step(std::size_t i) {
        Slot& slot = slots_[i];
        const int rc = SSL_do_handshake(slot.ssl.get());
        if (rc == 1) return finished(i);
        const int err = SSL_get_error(slot.ssl.get(), rc);
        if (err == SSL_ERROR_WANT_READ) return watch(i, EPOLLIN);
        if (err == SSL_ERROR_WANT_WRITE) return watch(i, EPOLLOUT);
        const Error e = tls::handshake_error(slot.ssl.get(), rc, slot.messages, plan_.peer);
        fail(i, e.code(), e.what());
    }

    void finished(std::size_t i) {
        Slot& slot = slots_[i];
        SSL* ssl = slot.ssl.get();
        const bool resumed = SSL_session_reused(ssl) == 1;
        if (resumed != plan_.resumed) {
            return fail(i, ExitCode::kDifferent,
                        plan_.resumed ? "the server answered an offered session with a full handshake"
                                      : "the server resumed a session nobody offered");
        }
        if ((result_.handshakes & kCheckMask) == 0 && plan_.check && result_.mismatch.empty()) {
            result_.mismatch = plan_.check(ssl);
        }
        const auto now = Clock::now();
        result_.latency.record(static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(now - slot.started).count()));
        ++result_.handshakes;
        result_.version = SSL_version(ssl);
        const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
        result_.cipher_id = cipher != nullptr ? SSL_CIPHER_get_protocol_id(cipher) : 0;
        result_.resumed = resumed;
        close_politely(i, now);
    }

    // close_notify and a FIN, then wait for the server to close first: it
    // must not find us gone while it still writes (TLS 1.3 tickets), and
    // the side that closes first keeps the TIME_WAIT, so ours does not fill
    // this machine's port range. The sent close_notify also keeps a TLS 1.2
    // session in the server's cache (OpenSSL drops the session of a
    // connection freed without a shutdown).
    void close_politely(std::size_t i, Clock::time_point now) {
        Slot& slot = slots_[i];
        SSL_shutdown(slot.ssl.get());
        ERR_clear_error();
        slot.ssl.reset();
        ::shutdown(slot.socket.fd(), SHUT_WR);
        slot.phase = Phase::draining;
        slot.deadline = now + std::min<Clock::duration>(plan_.timeout, kDrainLimit);
        watch(i, EPOLLIN);
        drain(i);
    }

    void drain(std::size_t i) {
        char buf[4096];
        for (;;) {
            const ssize_t n = ::recv(slots_[i].socket.fd(), buf, sizeof buf, 0);
            if (n > 0) continue;
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && errno == EAGAIN) return;
            return release(i, false);  // the server closed (or reset): done
        }
    }

    void fail_connect(std::size_t i, int err) {
        if (err == ECONNREFUSED) return fail(i, kRefused, fmt::format("connection to {} refused", plan_.peer));
        if (err == ETIMEDOUT) return fail(i, kTimeout, fmt::format("timed out connecting to {}", plan_.peer));
        fail(i, kFailure, fmt::format("cannot connect to {}: {}", plan_.peer, std::strerror(err)));
    }

    void fail(std::size_t i, ExitCode code, const std::string& message) {
        ++result_.failures[failure_class(code)];
        if (result_.first_failure.empty()) result_.first_failure = message;
        ERR_clear_error();
        slots_[i].ssl.reset();
        release(i, true);
    }

    // Ends the slot's connection and starts the next. `reset`: we close
    // first, so a reset rather than a FIN keeps TIME_WAIT off our ports.
    void release(std::size_t i, bool reset) {
        Slot& slot = slots_[i];
        if (reset && slot.socket) {
            const linger now{1, 0};
            set_option(slot.socket.fd(), SOL_SOCKET, SO_LINGER, &now, sizeof now);
        }
        slot.socket = tls::Socket{};  // closing it also takes it out of the epoll set
        slot.phase = Phase::idle;
        --active_;
        free_.push_back(i);
    }

    void watch(std::size_t i, std::uint32_t events) {
        Slot& slot = slots_[i];
        if (slot.events == events) return;
        epoll_event ev{};
        ev.events = events;
        ev.data.u64 = i;
        const int op = slot.events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
        if (::epoll_ctl(epoll_.fd(), op, slot.socket.fd(), &ev) != 0) {
            return fail(i, kFailure, fmt::format("cannot watch a socket: {}", std::strerror(errno)));
        }
        slot.events = events;
    }

    // Connections past their deadline: a failure while connecting or shaking
    // hands; a server slow to close after a finished handshake is not one.
    void expire() {
        const auto now = Clock::now();
        if (now - last_expiry_ < std::chrono::milliseconds(1)) return;
        last_expiry_ = now;
        for (std::size_t i = 0; i < slots_.size(); ++i) {
            const Slot& slot = slots_[i];
            if (slot.phase == Phase::idle || now < slot.deadline) continue;
            if (slot.phase == Phase::draining) {
                release(i, true);
            } else {
                fail(i, kTimeout, fmt::format("no answer from {} within --timeout", plan_.peer));
            }
        }
    }

    const LoadPlan& plan_;
    tls::Socket epoll_;  // an owned descriptor, as a socket's is
    std::vector<Slot> slots_;
    std::vector<std::size_t> free_;  // slots with no connection, to start one in
    LoadResult result_;
    Clock::time_point stop_at_;
    Clock::time_point last_expiry_;
    int active_ = 0;
};

}  // namespace

std::size_t failure_class(ExitCode code) {
    const auto index_of = [](std::string_view name) {
        return static_cast<std::size_t>(std::find(std::begin(kFailureClasses), std::end(kFailureClasses), name) -
                                        std::begin(kFailureClasses));
    };
    switch (code) {
        case kRefused: return index_of("refused");
        case kTimeout: return index_of("timeout");
        case kPeerClosed: return index_of("closed");
        case kNotTls: return index_of("not_tls");
        case kNameMismatch:
        case kUnknownCa:
        case kSelfSigned:
        case kExpired:
        case kNotYetValid:
        case kVerifyFailed: return index_of("verify");
        case kProtocolMismatch:
        case kCipherMismatch:
        case kPeerRejected: return index_of("handshake");
        case kDifferent: return index_of("not_resumed");
        default: return index_of("other");
    }
}

std::uint64_t LoadResult::failed() const {
    std::uint64_t total = 0;
    for (std::uint64_t n : failures) total += n;
    return total;
}

LoadResult run_load(const LoadPlan& plan) {
    return Load(plan).run();
}

}  // namespace sslfeatures::bench
