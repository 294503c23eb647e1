// Runs handshake cases under Google Benchmark: each case is registered as a
// benchmark, its figures ride on state.counters (so the console, JSON and
// CSV reporters all carry them), and a collecting reporter hands the figures
// back for our own tables and the chart.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bench/collector.hpp"
#include "bench/matrix.hpp"
#include "bench/pair.hpp"

namespace benchmark {
class BenchmarkReporter;
}

namespace sslfeatures::bench {

// The counters each case reports, by the names Google Benchmark shows.
inline constexpr const char* kRateCounter = "hs_per_s";
inline constexpr const char* kServerCpuCounter = "server_cpu_us";
inline constexpr const char* kClientCpuCounter = "client_cpu_us";
inline constexpr const char* kClientBytesCounter = "c2s_bytes";
inline constexpr const char* kServerBytesCounter = "s2c_bytes";
inline constexpr const char* kFloorCounter = "floor_us";
inline constexpr const char* kFloorRatioCounter = "floor_ratio";
inline constexpr const char* kResumedCounter = "resumed";
inline constexpr const char* kVersionCounter = "version";
inline constexpr const char* kCipherIdCounter = "cipher_id";
// Every handshake's wall time, from the latency histogram of all threads.
inline constexpr const char* kLatencyCounters[] = {"lat_p50_us", "lat_p90_us", "lat_p99_us", "lat_p999_us", "lat_max_us"};
inline constexpr double kLatencyQuantiles[] = {0.50, 0.90, 0.99, 0.999, 1.0};

// Errors of cases the library cannot run start with this, so every output
// format lists them and no one mistakes them for failures.
inline constexpr std::string_view kSkippedPrefix = "skipped: ";

struct RunOptions {
    Transport transport = Transport::memory;
    std::vector<int> threads{1};     // thread counts, one run of each case per count
    std::optional<long> iterations;  // a fixed count per case (tests, smoke runs)
    std::optional<double> min_time;  // seconds per case; else Google Benchmark's flag
    int repetitions = 0;             // 0: Google Benchmark's flag
    bool progress = false;           // "case i of N, time left" on stderr
};

struct CaseResult {
    std::string name;
    Case c;
    std::vector<double> rates;  // handshakes per second, one per repetition
    double rate = 0;            // their median
    double cv = 0;              // their coefficient of variation
    double server_cpu_us = 0;   // per handshake
    double client_cpu_us = 0;
    double client_to_server_bytes = 0;
    double server_to_client_bytes = 0;
    double floor_us = 0;        // 0: no public-key operation (TLS 1.2 resumption)
    double floor_ratio = 0;     // (client + server CPU) / floor; 0 when no floor
    std::string error;          // a failed check or handshake; empty when fine
    int threads = 1;            // pairs run at once; `rate` is their sum
    double latency_us[5] = {};  // p50, p90, p99, p99.9, max of one handshake's wall time
};

struct Outcome {
    std::vector<CaseResult> results;  // in matrix order, each case at each thread count
    std::vector<Skipped> skipped;
    std::vector<std::string> failures;  // "name: what went wrong"
    std::string engine_message;         // what Google Benchmark said went wrong, if anything
};

// Registers a case the library cannot run: it reports kSkippedPrefix and
// the reason, in every output format.
void register_skipped(const Skipped& s);

// Runs the matrix. `display` prints as the run goes (nullptr: nothing is
// printed); `file`, if given, receives the same runs for --benchmark_out.
// Google Benchmark must have been initialised by the caller if its flags
// are to apply.
Outcome run_cases(const Matrix& matrix, const RunOptions& options,
                  benchmark::BenchmarkReporter* display,
                  benchmark::BenchmarkReporter* file = nullptr);

}  // namespace sslfeatures::bench
