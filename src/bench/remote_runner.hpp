// Runs `bench --connect` cases under Google Benchmark, as the in-process
// runner does: one registered benchmark per case (one iteration: the load of
// one case, bounded by --duration and --max-handshakes), its figures on
// state.counters so that every reporter carries them, and the same Outcome
// for the table, the chart and the exit code.
#pragma once

#include "bench/remote.hpp"
#include "bench/runner.hpp"

namespace benchmark {
class BenchmarkReporter;
}

namespace sslfeatures::bench {

// Counters only a remote run has, beside hs_per_s and lat_*_us.
inline constexpr const char* kHandshakesCounter = "handshakes";
inline constexpr const char* kFailuresCounter = "failures";
inline constexpr const char* kConcurrencyCounter = "concurrency";
// One per failure class: "fail_refused", "fail_timeout" ... (remote_load.hpp).
inline constexpr std::string_view kFailurePrefix = "fail_";

// `address` is where reach() found the server. Google Benchmark must have been
// initialised by the caller if its flags are to apply.
Outcome run_remote_cases(const RemoteMatrix& matrix, const RemoteSettings& settings, const Address& address,
                         const RunOptions& options, benchmark::BenchmarkReporter* display,
                         benchmark::BenchmarkReporter* file = nullptr);

}  // namespace sslfeatures::bench
