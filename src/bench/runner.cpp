#include "bench/runner.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <tuple>

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <openssl/ssl.h>

#include "bench/fixture.hpp"
#include "bench/floor.hpp"
#include "bench/latency.hpp"
#include "util/error.hpp"

namespace sslfeatures::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Per-side CPU and bytes are read on one handshake in 32: the thread CPU
// clock is a system call (about 1.3 us on the development VM, seven of them
// per handshake), and paying it on every handshake would slow a 65 us TLS 1.2
// resumption by over 10%. One in 32 costs under 0.5%. The first handshake is
// always sampled, so tiny runs have figures too. Wall time, for the latency
// histogram, is read on every handshake: the monotonic clock costs about 20 ns.
constexpr std::uint64_t kSampleMask = 31;

// Every thread of a run adds its handshakes' times here; the last one to
// finish publishes the percentiles of them all (Google Benchmark sums
// counters over threads, and only that thread sets these).
class LatencySink {
  public:
    void add(benchmark::State& state, const LatencyHistogram& mine) {
        std::lock_guard lock(mutex_);
        merged_.merge(mine);
        if (++arrived_ < state.threads()) return;
        for (std::size_t i = 0; i < std::size(kLatencyCounters); ++i) {
            state.counters[kLatencyCounters[i]] = merged_.percentile(kLatencyQuantiles[i]) / 1e3;
        }
        merged_.clear();
        arrived_ = 0;
    }

  private:
    std::mutex mutex_;
    LatencyHistogram merged_;
    int arrived_ = 0;
};

void set_counters(benchmark::State& state, const Pair& pair, const Floor& floor, double wall_s) {
    using benchmark::Counter;
    const Measures& m = pair.measures();
    const double n = m.sampled > 0 ? static_cast<double>(m.sampled) : 1;
    const double server_us = m.server_cpu_ns / n / 1e3;
    const double client_us = m.client_cpu_ns / n / 1e3;
    const double floor_us = floor.total_ns() / 1e3;
    // Summed over threads: the pair's total rate.
    state.counters[kRateCounter] = Counter(wall_s > 0 ? static_cast<double>(state.iterations()) / wall_s : 0);
    state.counters[kServerCpuCounter] = Counter(server_us, Counter::kAvgThreads);
    state.counters[kClientCpuCounter] = Counter(client_us, Counter::kAvgThreads);
    state.counters[kClientBytesCounter] = Counter(m.client_to_server_bytes / n, Counter::kAvgThreads);
    state.counters[kServerBytesCounter] = Counter(m.server_to_client_bytes / n, Counter::kAvgThreads);
    state.counters[kFloorCounter] = Counter(floor_us, Counter::kAvgThreads);
    state.counters[kFloorRatioCounter] =
        Counter(floor_us > 0 ? (server_us + client_us) / floor_us : 0, Counter::kAvgThreads);
    SSL* client = pair.client();
    state.counters[kResumedCounter] = Counter(SSL_session_reused(client) == 1 ? 1 : 0, Counter::kAvgThreads);
    state.counters[kVersionCounter] = Counter(SSL_version(client), Counter::kAvgThreads);
    const SSL_CIPHER* cipher = SSL_get_current_cipher(client);
    state.counters[kCipherIdCounter] =
        Counter(cipher ? SSL_CIPHER_get_protocol_id(cipher) : 0, Counter::kAvgThreads);
}

// The body of every case: set up and check outside the timed loop, then
// handshakes, each checked for resumption and timed on the wall clock, then
// a full check of the last one.
void run_case(benchmark::State& state, const Case& c, Transport transport, const Floor& floor, LatencySink& sink) {
    std::unique_ptr<Pair> pair;
    std::string problem;
    try {
        pair = std::make_unique<Pair>(c, transport);
        problem = pair->prime();
    } catch (const Error& e) {
        problem = e.what();
    }
    if (!problem.empty()) state.SkipWithError(problem.c_str());
    LatencyHistogram latency;
    std::uint64_t count = 0;
    const auto start = Clock::now();
    auto last = start;
    for (auto _ : state) {
        if (!pair->handshake((count++ & kSampleMask) == 0)) {
            state.SkipWithError(pair->error().c_str());
            break;
        }
        const auto now = Clock::now();
        latency.record(static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(now - last).count()));
        last = now;
    }
    const double wall_s = std::chrono::duration<double>(last - start).count();
    if (state.error_occurred()) return;
    if (std::string wrong = pair->check_last(); !wrong.empty()) {
        state.SkipWithError(wrong.c_str());
        return;
    }
    set_counters(state, *pair, floor, wall_s);
    sink.add(state, latency);
}

void register_case(const Case& c, const RunOptions& options, const Floor& floor) {
    const Transport transport = options.transport;
    auto sink = std::make_shared<LatencySink>();
    auto* b = benchmark::RegisterBenchmark(c.name().c_str(), [c, transport, floor, sink](benchmark::State& state) {
        run_case(state, c, transport, floor, *sink);
    });
    b->Unit(benchmark::kMicrosecond);
    // One thread count of 1 keeps the names Google Benchmark gives without threads.
    if (options.threads != std::vector<int>{1}) {
        for (int threads : options.threads) b->Threads(threads);
    }
    if (options.iterations) b->Iterations(*options.iterations);
    if (options.min_time && !options.iterations) b->MinTime(*options.min_time);
    if (options.repetitions > 0) b->Repetitions(options.repetitions);
}

CaseResult result_of(const Case& c, int threads, const Collected& collected) {
    CaseResult r;
    r.name = c.name();
    r.c = c;
    r.threads = threads;
    r.error = collected.error;
    Series rates = series_of(collected, kRateCounter);
    std::tie(r.rates, r.rate, r.cv) = std::tie(rates.values, rates.median, rates.cv);
    if (collected.runs.empty()) return r;
    const Counters& last = collected.runs.back();
    r.server_cpu_us = counter(last, kServerCpuCounter);
    r.client_cpu_us = counter(last, kClientCpuCounter);
    r.client_to_server_bytes = counter(last, kClientBytesCounter);
    r.server_to_client_bytes = counter(last, kServerBytesCounter);
    r.floor_us = counter(last, kFloorCounter);
    r.floor_ratio = counter(last, kFloorRatioCounter);
    for (std::size_t i = 0; i < std::size(kLatencyCounters); ++i) r.latency_us[i] = counter(last, kLatencyCounters[i]);
    return r;
}

}  // namespace

void register_skipped(const Skipped& s) {
    const std::string message = fmt::format("{}{}", kSkippedPrefix, s.reason);
    benchmark::RegisterBenchmark(s.name.c_str(), [message](benchmark::State& state) {
        state.SkipWithError(message.c_str());
        for (auto _ : state) {
        }
    })->Iterations(1);
}

Outcome run_cases(const Matrix& matrix, const RunOptions& options, benchmark::BenchmarkReporter* display,
                  benchmark::BenchmarkReporter* file) {
    benchmark::ClearRegisteredBenchmarks();
    // Certificates and floors first, so no case's time includes making them.
    std::vector<Floor> floors;
    for (const Case& c : matrix.cases) {
        bench_leaf(c.key);
        floors.push_back(crypto_floor(c));
    }
    for (std::size_t i = 0; i < matrix.cases.size(); ++i) register_case(matrix.cases[i], options, floors[i]);
    for (const Skipped& s : matrix.skipped) register_skipped(s);

    const std::size_t total = matrix.cases.size() * options.threads.size() + matrix.skipped.size();
    Collection collection = run_registered(display, file, total, options.progress);
    Outcome outcome;
    outcome.engine_message = std::move(collection.engine_message);
    outcome.skipped = matrix.skipped;
    for (const Case& c : matrix.cases) {
        for (int threads : options.threads) {
            auto it = collection.results.find({c.name(), threads});
            if (it == collection.results.end()) continue;  // left out by --benchmark_filter
            CaseResult r = result_of(c, threads, it->second);
            if (!r.error.empty()) outcome.failures.push_back(r.error);
            outcome.results.push_back(std::move(r));
        }
    }
    return outcome;
}

}  // namespace sslfeatures::bench
