#include "scan/pool.hpp"

#include <algorithm>
#include <exception>
#include <thread>

#include <fmt/format.h>

#include "util/error.hpp"

namespace sslfeatures::scan {

ProbePool::ProbePool(const Prober& prober, int at_once, int at_most)
    : prober_(prober), at_once_(std::clamp(at_once, 1, 1024)), at_most_(at_most), slots_(at_once_) {}

ProbeResult ProbePool::run(const ProbeSpec& spec) {
    if (connections_.fetch_add(1) >= at_most_) {
        throw Error(kFailure, fmt::format("the scan needs more than {} connections (raise --max-connections)", at_most_));
    }
    slots_.acquire();
    struct Release {
        std::counting_semaphore<1024>& slots;
        ~Release() { slots.release(); }
    } release{slots_};
    return prober_.run(spec);
}

std::vector<ProbeResult> ProbePool::run_all(const std::vector<ProbeSpec>& specs) {
    std::vector<ProbeResult> results(specs.size());
    std::vector<std::function<void()>> jobs;
    jobs.reserve(specs.size());
    for (std::size_t i = 0; i < specs.size(); ++i) {
        jobs.emplace_back([this, &specs, &results, i] { results[i] = run(specs[i]); });
    }
    run_jobs(jobs);
    return results;
}

void ProbePool::run_jobs(const std::vector<std::function<void()>>& jobs) {
    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop{false};
    std::exception_ptr first_error;
    std::mutex error_mutex;
    auto worker = [&] {
        for (std::size_t i = next++; i < jobs.size() && !stop; i = next++) {
            try {
                jobs[i]();
            } catch (...) {
                const std::lock_guard lock(error_mutex);
                if (!first_error) first_error = std::current_exception();
                stop = true;
            }
        }
    };
    const std::size_t threads = std::min<std::size_t>(jobs.size(), static_cast<std::size_t>(at_once_));
    std::vector<std::jthread> workers;
    for (std::size_t t = 1; t < threads; ++t) workers.emplace_back(worker);
    worker();
    workers.clear();  // joins
    if (first_error) std::rethrow_exception(first_error);
}

}  // namespace sslfeatures::scan
