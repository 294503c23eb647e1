#include "bench/quick.hpp"

#include <fmt/format.h>

#include "bench/bulk_matrix.hpp"
#include "bench/bulk_runner.hpp"
#include "bench/memory.hpp"
#include "util/error.hpp"

namespace sslfeatures::bench {

Outcome run_quick(int repetitions, double seconds) {
    Matrix matrix{quick_cases(), {}};
    RunOptions options;
    options.min_time = seconds;
    options.repetitions = repetitions > 1 ? repetitions : 0;
    return run_cases(matrix, options, nullptr);
}

namespace {

// Each case's median rate, CV and repetitions, from either runner's outcome;
// a failed check ends the snapshot (Error(kDifferent)).
template <typename RunOutcome>
std::vector<audit::BenchCase> medians(const RunOutcome& outcome) {
    if (!outcome.failures.empty()) {
        throw Error(kDifferent, fmt::format("bench: {}", outcome.failures.front()));
    }
    std::vector<audit::BenchCase> cases;
    for (const auto& r : outcome.results) {
        cases.push_back({r.name, r.rate, r.cv, static_cast<int>(r.rates.size())});
    }
    return cases;
}

}  // namespace

std::vector<audit::BenchCase> run_quick_set(int repetitions) { return medians(run_quick(repetitions)); }

std::vector<audit::BenchCase> run_quick_bulk(int repetitions) {
    Selection selection;
    selection.quick = true;
    const BulkMatrix matrix = build_bulk_matrix(selection, {kQuickBulkPayload});
    RunOptions options;
    options.min_time = 0.1;
    options.repetitions = repetitions > 1 ? repetitions : 0;
    return medians(run_bulk_cases(matrix, options, nullptr));
}

std::string quick_memory_figures() { return counted_figures(memory_cases({}), kSnapshotPairs); }

std::vector<audit::MemoryCase> run_quick_memory(int& exit_code) {
    exit_code = 0;
    const std::vector<MemoryResult> results = measure_memory(memory_cases({}), kSnapshotPairs, exit_code);
    std::vector<audit::MemoryCase> cases;
    for (const MemoryResult& r : results) {
        const ConnectionMemory& m = r.connection;
        cases.push_back({r.name, m.handshake.client, m.handshake.server, m.released.client, m.released.server});
    }
    return cases;
}

}  // namespace sslfeatures::bench
