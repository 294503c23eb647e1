#include "bench/quick.hpp"

#include <fmt/format.h>

#include "util/error.hpp"

namespace sslfeatures::bench {

Outcome run_quick(int repetitions, double seconds) {
    Matrix matrix{quick_cases(), {}};
    RunOptions options;
    options.min_time = seconds;
    options.repetitions = repetitions > 1 ? repetitions : 0;
    return run_cases(matrix, options, nullptr);
}

std::vector<audit::BenchCase> run_quick_set(int repetitions) {
    const Outcome outcome = run_quick(repetitions);
    if (!outcome.failures.empty()) {
        throw Error(kDifferent, fmt::format("bench: {}", outcome.failures.front()));
    }
    std::vector<audit::BenchCase> cases;
    for (const CaseResult& r : outcome.results) {
        cases.push_back({r.name, r.rate, r.cv, static_cast<int>(r.rates.size())});
    }
    return cases;
}

}  // namespace sslfeatures::bench
