// The quick set as data, for the default job and for `snapshot --with-bench`.
#pragma once

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

}  // namespace sslfeatures::bench
