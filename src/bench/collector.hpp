// What Google Benchmark measured, collected for our own tables and charts
// while it reports to the display and to --benchmark_out: each benchmark's
// counters per repetition, and its error. Shared by every kind of case the
// bench registers (handshakes, bulk data, memory).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace benchmark {
class BenchmarkReporter;
}

namespace sslfeatures::bench {

using Counters = std::map<std::string, double>;

struct Collected {
    std::vector<Counters> runs;  // one per repetition (or the median aggregate alone)
    std::string error;           // the run's error message; empty when it ran
};

struct Collection {
    // By benchmark name (without the "/threads:N" suffix) and thread count.
    std::map<std::pair<std::string, int>, Collected> results;
    std::string engine_message;  // what Google Benchmark said went wrong, if anything
};

// Runs every registered benchmark, reporting to `display` and `file` (either
// may be nullptr), with "case i of N, about S s left" on stderr when
// `progress`; then clears the registrations.
Collection run_registered(benchmark::BenchmarkReporter* display, benchmark::BenchmarkReporter* file,
                          std::size_t total, bool progress);

// Figures over repetitions.
double median(std::vector<double> v);
double coefficient_of_variation(const std::vector<double>& v);

// A counter of one run; 0 when it is missing.
double counter(const Counters& counters, const char* name);

// One counter over the repetitions: each run's value, their median and CV.
struct Series {
    std::vector<double> values;
    double median = 0;
    double cv = 0;
};
Series series_of(const Collected& collected, const char* name);

}  // namespace sslfeatures::bench
