#include "bench/runner.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include <unistd.h>

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <openssl/ssl.h>

#include "bench/fixture.hpp"
#include "bench/floor.hpp"
#include "util/error.hpp"

namespace sslfeatures::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Per-side CPU and bytes are read on one handshake in 32: the thread CPU
// clock is a system call (about 1.3 us on the development VM, seven of them
// per handshake), and paying it on every handshake would slow a 65 us TLS 1.2
// resumption by over 10%. One in 32 costs under 0.5%. The first handshake is
// always sampled, so tiny runs have figures too.
constexpr std::uint64_t kSampleMask = 31;

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const std::size_t mid = v.size() / 2;
    return v.size() % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

double coefficient_of_variation(const std::vector<double>& v) {
    if (v.size() < 2) return 0;
    double mean = 0;
    for (double x : v) mean += x;
    mean /= static_cast<double>(v.size());
    double sum = 0;
    for (double x : v) sum += (x - mean) * (x - mean);
    const double sd = std::sqrt(sum / static_cast<double>(v.size() - 1));
    return mean > 0 ? sd / mean : 0;
}

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
// handshakes, each checked for resumption, then a full check of the last one.
void run_case(benchmark::State& state, const Case& c, Transport transport, const Floor& floor) {
    std::unique_ptr<Pair> pair;
    std::string problem;
    try {
        pair = std::make_unique<Pair>(c, transport);
        problem = pair->prime();
    } catch (const Error& e) {
        problem = e.what();
    }
    if (!problem.empty()) state.SkipWithError(problem.c_str());
    std::uint64_t count = 0;
    const auto start = Clock::now();
    for (auto _ : state) {
        if (!pair->handshake((count++ & kSampleMask) == 0)) {
            state.SkipWithError(pair->error().c_str());
            break;
        }
    }
    const double wall_s = std::chrono::duration<double>(Clock::now() - start).count();
    if (state.error_occurred()) return;
    if (std::string wrong = pair->check_last(); !wrong.empty()) {
        state.SkipWithError(wrong.c_str());
        return;
    }
    set_counters(state, *pair, floor, wall_s);
}

// Shows progress, collects every run's figures, and passes runs on to the
// reporters the user chose (the display, and the file of --benchmark_out).
class Collector : public benchmark::BenchmarkReporter {
  public:
    Collector(std::vector<benchmark::BenchmarkReporter*> reporters, std::size_t total, bool progress)
        : reporters_(std::move(reporters)), total_(total), progress_(progress), start_(Clock::now()) {}

    bool ReportContext(const Context& context) override {
        bool go_on = true;
        for (auto* r : reporters_) go_on = r->ReportContext(context) && go_on;
        return go_on;
    }

    void ReportRuns(const std::vector<Run>& runs) override {
        clear_progress();
        for (auto* r : reporters_) r->ReportRuns(runs);
        for (const Run& run : runs) collect(run);
        // With repetitions a case reports twice (its runs, then their
        // aggregates): count it once.
        if (!runs.empty() && counted_.insert(runs.front().run_name.function_name).second) ++done_;
        draw_progress();
    }

    void Finalize() override {
        clear_progress();
        for (auto* r : reporters_) r->Finalize();
    }

    std::map<std::string, CaseResult> results;

  private:
    void collect(const Run& run) {
        CaseResult& r = results[run.run_name.function_name];
        // With --benchmark_report_aggregates_only only the aggregates come
        // here; the median then stands for the repetitions.
        const bool median_only = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median" && r.rates.empty();
        if (run.run_type != Run::RT_Iteration && !median_only) return;
        if (run.error_occurred) {
            r.error = run.error_message;
            return;
        }
        auto counter = [&](const char* name) {
            auto it = run.counters.find(name);
            return it != run.counters.end() ? it->second.value : 0.0;
        };
        r.rates.push_back(counter(kRateCounter));
        r.server_cpu_us = counter(kServerCpuCounter);
        r.client_cpu_us = counter(kClientCpuCounter);
        r.client_to_server_bytes = counter(kClientBytesCounter);
        r.server_to_client_bytes = counter(kServerBytesCounter);
        r.floor_us = counter(kFloorCounter);
        r.floor_ratio = counter(kFloorRatioCounter);
    }

    void draw_progress() {
        if (!progress_ || done_ >= total_) return;
        const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
        const double left = elapsed / static_cast<double>(done_) * static_cast<double>(total_ - done_);
        fmt::print(stderr, "\r\033[Kcase {} of {}, about {:.0f} s left", done_ + 1, total_, left);
        std::fflush(stderr);
        drawn_ = true;
    }

    void clear_progress() {
        if (!drawn_) return;
        fmt::print(stderr, "\r\033[K");
        std::fflush(stderr);
        drawn_ = false;
    }

    std::vector<benchmark::BenchmarkReporter*> reporters_;
    std::size_t total_;
    bool progress_;
    Clock::time_point start_;
    std::size_t done_ = 0;
    std::set<std::string> counted_;
    bool drawn_ = false;
};

void register_case(const Case& c, const RunOptions& options, const Floor& floor) {
    const Transport transport = options.transport;
    auto* b = benchmark::RegisterBenchmark(
        c.name().c_str(), [c, transport, floor](benchmark::State& state) { run_case(state, c, transport, floor); });
    b->Unit(benchmark::kMicrosecond);
    if (options.threads > 1) b->Threads(options.threads);
    if (options.iterations) b->Iterations(*options.iterations);
    if (options.min_time && !options.iterations) b->MinTime(*options.min_time);
    if (options.repetitions > 0) b->Repetitions(options.repetitions);
}

void register_skipped(const Skipped& s) {
    const std::string message = fmt::format("{}{}", kSkippedPrefix, s.reason);
    benchmark::RegisterBenchmark(s.name.c_str(), [message](benchmark::State& state) {
        state.SkipWithError(message.c_str());
        for (auto _ : state) {
        }
    })->Iterations(1);
}

}  // namespace

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

    std::vector<benchmark::BenchmarkReporter*> reporters;
    for (auto* r : {display, file}) {
        if (r != nullptr) reporters.push_back(r);
    }
    Collector collector(std::move(reporters), matrix.cases.size() + matrix.skipped.size(), options.progress);
    // Google Benchmark reports a filter that matches nothing, or does not
    // compile, on the reporter's error stream; the caller words it for the user.
    std::ostringstream engine_errors;
    collector.SetErrorStream(&engine_errors);
    benchmark::RunSpecifiedBenchmarks(&collector);
    benchmark::ClearRegisteredBenchmarks();

    Outcome outcome;
    outcome.engine_message = engine_errors.str();
    while (!outcome.engine_message.empty() && outcome.engine_message.back() == '\n') outcome.engine_message.pop_back();
    outcome.skipped = matrix.skipped;
    for (const Case& c : matrix.cases) {
        auto it = collector.results.find(c.name());
        if (it == collector.results.end()) continue;  // left out by --benchmark_filter
        CaseResult r = std::move(it->second);
        r.name = c.name();
        r.c = c;
        r.threads = options.threads;
        r.rate = median(r.rates);
        r.cv = coefficient_of_variation(r.rates);
        if (!r.error.empty()) outcome.failures.push_back(r.error);
        outcome.results.push_back(std::move(r));
    }
    return outcome;
}

}  // namespace sslfeatures::bench
