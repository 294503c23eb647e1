// Memory per connection (`bench --measure memory`): the bytes OpenSSL holds
// for one client and one server connection of a case, counted exactly by the
// allocation hooks of bench/alloc_count.hpp, and what N pairs held open at
// once cost the whole process (resident set size, glibc's heap).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bench/matrix.hpp"

namespace sslfeatures::bench {

inline constexpr std::size_t kExchangeBytes = 16384;  // each way, after the handshake
inline constexpr int kDefaultPairs = 1000;

struct SideBytes {
    std::int64_t client = 0;
    std::int64_t server = 0;
};

// One connection of each side, after what the first connection builds once
// (provider fetches, caches, the random generator) has been built: what its
// SSL holds, its end of the in-memory transport not included.
struct ConnectionMemory {
    SideBytes handshake;  // after the handshake (TLS 1.3: the tickets read)
    SideBytes exchange;   // after kExchangeBytes each way
    SideBytes released;   // the same exchange with SSL_MODE_RELEASE_BUFFERS on both sides
    std::int64_t transport = 0;  // the in-memory BIO pair, both ends
    std::int64_t pair = 0;       // the whole pair after its handshake, transport included
};

// N pairs held open at once after their handshakes, per pair.
struct PairsMemory {
    int pairs = 0;
    double live_bytes = 0;   // OpenSSL's live bytes (0 unless counting)
    double live_blocks = 0;  // its live blocks (0 unless counting)
    double heap_bytes = 0;   // glibc's bytes in use (mallinfo2: uordblks + hblkhd)
    double rss_bytes = 0;    // VmRSS of /proc/self/status
    double hwm_bytes = 0;    // VmHWM, the resident peak
};

struct MemoryResult {
    std::string name;
    Case c;
    ConnectionMemory connection;
    PairsMemory counted;   // N pairs in the counting process
    PairsMemory resident;  // N pairs in a process without the hooks (their headers cost memory too)
};

// The cases: TLS 1.3 and 1.2, RSA-2048 and ECDSA P-256, the quick set's
// suites with X25519, full, session-id (TLS 1.2) and ticket. The selection's
// protocols, keys and modes apply.
std::vector<Case> memory_cases(const Selection& selection);

// Needs the allocation hooks; throws Error(kFailure) when a handshake,
// exchange or check fails, or without the hooks.
ConnectionMemory measure_connection(const Case& c);

// Holds `pairs` pairs of the case open at once, in this process.
PairsMemory hold_pairs(const Case& c, int pairs);

// hold_pairs in a child process (fork), so that the peak and the resident
// set are this case's alone.
PairsMemory hold_pairs_in_child(const Case& c, int pairs);

// The counting process's side of `bench --measure memory`: every case's
// connection figures and its `pairs` pairs, as one line of JSON for the
// process that started it.
std::string counted_figures(const std::vector<Case>& cases, int pairs);

// The other side: runs this program again (/proc/self/exe, the same
// arguments) with kCountingEnv set, reads its figures, then holds each case's
// pairs in a child without the hooks for the resident figures. A counting
// process that fails has said why on stderr; `exit_code` is its code then.
std::vector<MemoryResult> measure_memory(const std::vector<Case>& cases, int pairs, int& exit_code);

}  // namespace sslfeatures::bench
