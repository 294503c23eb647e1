// Where a scan's probes run: at most N connections at once (a polite scan
// must not look like a flood) and at most M in all, counted.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <semaphore>
#include <vector>

#include "scan/probe.hpp"

namespace sslfeatures::scan {

class ProbePool {
  public:
    ProbePool(const Prober& prober, int at_once, int at_most);

    // One probe, waiting for a free slot. Throws Error once the budget is spent
    // (naming --max-connections) or when the server cannot be reached.
    ProbeResult run(const ProbeSpec& spec);
    // Many probes at once; the results in the order of `specs`.
    std::vector<ProbeResult> run_all(const std::vector<ProbeSpec>& specs);
    // Jobs that each make their own probes (a sequence that depends on what
    // the server answered), side by side; the first error any job threw is
    // rethrown once all have stopped.
    void run_jobs(const std::vector<std::function<void()>>& jobs);

    int connections() const { return connections_.load(); }

  private:
    const Prober& prober_;
    int at_once_;
    int at_most_;
    std::counting_semaphore<1024> slots_;
    std::atomic<int> connections_{0};
};

}  // namespace sslfeatures::scan
