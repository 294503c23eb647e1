#include "bench/collector.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

namespace sslfeatures::bench {
namespace {

using Clock = std::chrono::steady_clock;

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
        if (!runs.empty() && counted_.insert(runs.front().run_name.str()).second) ++done_;
        draw_progress();
    }

    void Finalize() override {
        clear_progress();
        for (auto* r : reporters_) r->Finalize();
    }

    std::map<std::pair<std::string, int>, Collected> results;

  private:
    void collect(const Run& run) {
        Collected& r = results[{run.run_name.function_name, static_cast<int>(run.threads)}];
        // With --benchmark_report_aggregates_only only the aggregates come
        // here; the median then stands for the repetitions.
        const bool median_only = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median" && r.runs.empty();
        if (run.run_type != Run::RT_Iteration && !median_only) return;
        if (run.error_occurred) {
            r.error = run.error_message;
            return;
        }
        Counters counters;
        for (const auto& [name, c] : run.counters) counters[name] = c.value;
        r.runs.push_back(std::move(counters));
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

}  // namespace

Collection run_registered(benchmark::BenchmarkReporter* display, benchmark::BenchmarkReporter* file,
                          std::size_t total, bool progress) {
    std::vector<benchmark::BenchmarkReporter*> reporters;
    for (auto* r : {display, file}) {
        if (r != nullptr) reporters.push_back(r);
    }
    Collector collector(std::move(reporters), total, progress);
    // Google Benchmark reports a filter that matches nothing, or does not
    // compile, on the reporter's error stream; the caller words it for the user.
    std::ostringstream engine_errors;
    collector.SetErrorStream(&engine_errors);
    benchmark::RunSpecifiedBenchmarks(&collector);
    benchmark::ClearRegisteredBenchmarks();

    Collection collection;
    collection.results = std::move(collector.results);
    collection.engine_message = engine_errors.str();
    while (!collection.engine_message.empty() && collection.engine_message.back() == '\n') {
        collection.engine_message.pop_back();
    }
    return collection;
}

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

double counter(const Counters& counters, const char* name) {
    auto it = counters.find(name);
    return it != counters.end() ? it->second : 0.0;
}

Series series_of(const Collected& collected, const char* name) {
    Series s;
    for (const Counters& run : collected.runs) s.values.push_back(counter(run, name));
    s.median = median(s.values);
    s.cv = coefficient_of_variation(s.values);
    return s;
}

}  // namespace sslfeatures::bench
