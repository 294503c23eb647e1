// The load of `bench --connect`: many client connections at once on one
// thread, non-blocking sockets driven by epoll. Each handshake is a fresh TCP
// connection (connect, handshake, close_notify, wait for the server to close),
// timed from connect() to the handshake's end; a connection that fails counts
// in the failure class of its cause (tls::handshake_error's exit codes).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <openssl/ssl.h>

#include "bench/latency.hpp"
#include "bench/remote.hpp"
#include "util/error.hpp"

namespace sslfeatures::bench {

// Failure classes, by the exit code a single connection would end with:
// refused (10), timeout (12), closed (13), not_tls (14), verify (15-19, 23),
// handshake (20-22: no common version, suite or group; the peer refused us),
// not_resumed (a resumed mode's handshake ran in full), other (anything else).
inline constexpr std::string_view kFailureClasses[] = {"refused",   "timeout",     "closed", "not_tls",
                                                       "verify",    "handshake",   "not_resumed", "other"};
inline constexpr std::size_t kFailureClassCount = std::size(kFailureClasses);

// The index in kFailureClasses of a connection that ended with `code`.
std::size_t failure_class(ExitCode code);

struct LoadPlan {
    Address address;
    std::string host;  // for SNI and the certificate's name check
    std::string peer;  // the server, as messages name it
    SSL_CTX* context = nullptr;
    SSL_SESSION* session = nullptr;  // offered on every connection when resumed
    bool resumed = false;            // every handshake must resume (or not)
    int concurrency = 1;
    std::chrono::duration<double> duration{1.0};
    long max_handshakes = 0;  // attempts, failed ones included; 0: no limit
    std::chrono::milliseconds timeout{10000};
    // Checks a finished handshake in full ("" when it is what the case
    // claims); called on the first and then one in 32.
    std::function<std::string(SSL*)> check;
};

struct LoadResult {
    std::uint64_t handshakes = 0;  // completed and checked
    std::uint64_t attempts = 0;    // connections started
    double wall_s = 0;             // from the first connect() until the last connection ended
    LatencyHistogram latency;      // connect() to the handshake's end, every handshake
    std::array<std::uint64_t, kFailureClassCount> failures{};
    std::string first_failure;  // the first failed connection's message
    std::string mismatch;       // a checked handshake that negotiated something else
    int version = 0;            // the last handshake's, for the counters tools read
    int cipher_id = 0;
    bool resumed = false;

    std::uint64_t failed() const;
    double rate() const { return wall_s > 0 ? static_cast<double>(handshakes) / wall_s : 0; }
};

// Runs connections until the duration is over or max_handshakes were
// started, then lets those in flight end (each within its timeout).
LoadResult run_load(const LoadPlan& plan);

}  // namespace sslfeatures::bench
