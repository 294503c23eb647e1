// The quick set as data, for the default job and for `snapshot --with-bench`.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "audit/snapshot.hpp"
#include "bench/runner.hpp"

namespace sslfeatures::bench {

// Runs the quick set (matrix.hpp, quick_cases) in memory, one thread, each
// case for about `seconds` per repetition. Prints nothing.
Outcome run_quick(int repetitions, double seconds = 0.25);

// The quick set's median rates, CV and repetition count, ids as the case
// names ("tls1.3/TLS_AES_256_GCM_SHA384/rsa-2048/x25519/full"). Throws
// Error(kDifferent) when a case fails its checks.
std::vector<audit::BenchCase> run_quick_set(int repetitions);

// The quick bulk cases (the quick set's suites, 16 KiB writes): the pair's
// median MB/s, CV and repetitions, for `snapshot --with-bench`. Throws
// Error(kDifferent) when a case fails its checks.
std::vector<audit::BenchCase> run_quick_bulk(int repetitions);

// Memory per connection for `snapshot --with-bench`: each memory case's
// bytes per side (bench/memory.hpp), counted in a second run of the program.
// In that second run (counting_allocations()), quick_memory_figures() is
// what it prints instead of a snapshot.
inline constexpr int kSnapshotPairs = 10;
inline constexpr std::size_t kQuickBulkPayload = 16384;
std::string quick_memory_figures();
// When the counting process fails it has said why on stderr: `exit_code`
// is its code then, and the list is empty.
std::vector<audit::MemoryCase> run_quick_memory(int& exit_code);

}  // namespace sslfeatures::bench
