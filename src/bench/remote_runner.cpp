#include "bench/remote_runner.hpp"

#include <memory>
#include <thread>
#include <tuple>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "bench/remote_load.hpp"

namespace sslfeatures::bench {
namespace {

// Twice the cores: enough connections waiting on the network to keep this
// side's core busy while the server works on the others.
int default_concurrency() {
    const unsigned cores = std::thread::hardware_concurrency();
    return static_cast<int>(cores > 0 ? 2 * cores : 4);
}

LoadPlan plan_for(const RemoteCase& rc, const RemoteSettings& s, const Address& address) {
    LoadPlan plan;
    plan.address = address;
    plan.host = s.target.host;
    plan.peer = s.target.text();
    plan.context = rc.context->get();
    plan.session = rc.session ? rc.session->get() : nullptr;
    plan.resumed = rc.c.resumed();
    plan.concurrency = s.concurrency > 0 ? s.concurrency : default_concurrency();
    plan.duration = std::chrono::duration<double>(s.duration_s);
    plan.max_handshakes = s.max_handshakes;
    plan.timeout = s.timeout;
    plan.check = [rc](SSL* ssl) { return remote_mismatch(rc, ssl); };
    return plan;
}

void set_counters(benchmark::State& state, const LoadResult& r, int concurrency) {
    state.counters[kRateCounter] = r.rate();
    state.counters[kHandshakesCounter] = static_cast<double>(r.handshakes);
    state.counters[kFailuresCounter] = static_cast<double>(r.failed());
    for (std::size_t i = 0; i < kFailureClassCount; ++i) {
        state.counters[fmt::format("{}{}", kFailurePrefix, kFailureClasses[i])] = static_cast<double>(r.failures[i]);
    }
    for (std::size_t i = 0; i < std::size(kLatencyCounters); ++i) {
        state.counters[kLatencyCounters[i]] = r.latency.percentile(kLatencyQuantiles[i]) / 1e3;
    }
    state.counters[kConcurrencyCounter] = concurrency;
    state.counters[kResumedCounter] = r.resumed ? 1 : 0;
    state.counters[kVersionCounter] = r.version;
    state.counters[kCipherIdCounter] = r.cipher_id;
}

// One iteration: the whole load of the case. Connections that fail are
// counted by cause; the case itself fails only when none got through or a
// checked handshake negotiated something other than the probe did.
void run_case(benchmark::State& state, const std::string& name, const LoadPlan& plan) {
    LoadResult r;
    for (auto _ : state) r = run_load(plan);
    if (!r.mismatch.empty()) {
        state.SkipWithError(fmt::format("{}: {}", name, r.mismatch).c_str());
        return;
    }
    if (r.handshakes == 0) {
        state.SkipWithError(fmt::format("{}: no handshake completed ({} of {} connections failed; the first: {})", name,
                                        r.failed(), r.attempts, r.first_failure)
                                .c_str());
        return;
    }
    set_counters(state, r, plan.concurrency);
}

void register_case(const RemoteCase& rc, const LoadPlan& plan, const RunOptions& options) {
    const std::string name = rc.name();
    auto* b = benchmark::RegisterBenchmark(name.c_str(), [name, plan](benchmark::State& state) {
        run_case(state, name, plan);
    });
    b->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
    if (options.repetitions > 0) b->Repetitions(options.repetitions);
}

CaseResult result_of(const RemoteCase& rc, const Collected& collected) {
    CaseResult r;
    r.name = rc.name();
    r.c = rc.c;
    if (auto key = tls::parse_key_type(rc.key)) r.c.key = *key;
    r.error = collected.error;
    Series rates = series_of(collected, kRateCounter);
    std::tie(r.rates, r.rate, r.cv) = std::tie(rates.values, rates.median, rates.cv);
    if (collected.runs.empty()) return r;
    for (std::size_t i = 0; i < std::size(kLatencyCounters); ++i) {
        r.latency_us[i] = counter(collected.runs.back(), kLatencyCounters[i]);
    }
    return r;
}

}  // namespace

Outcome run_remote_cases(const RemoteMatrix& matrix, const RemoteSettings& settings, const Address& address,
                         const RunOptions& options, benchmark::BenchmarkReporter* display,
                         benchmark::BenchmarkReporter* file) {
    benchmark::ClearRegisteredBenchmarks();
    for (const RemoteCase& rc : matrix.cases) register_case(rc, plan_for(rc, settings, address), options);
    for (const Skipped& s : matrix.skipped) register_skipped(s);
    Collection collection = run_registered(display, file, matrix.cases.size() + matrix.skipped.size(), options.progress);
    Outcome outcome;
    outcome.engine_message = std::move(collection.engine_message);
    outcome.skipped = matrix.skipped;
    for (const RemoteCase& rc : matrix.cases) {
        auto it = collection.results.find({rc.name(), 1});
        if (it == collection.results.end()) continue;  // left out by --benchmark_filter
        CaseResult r = result_of(rc, it->second);
        if (!r.error.empty()) outcome.failures.push_back(r.error);
        outcome.results.push_back(std::move(r));
    }
    return outcome;
}

}  // namespace sslfeatures::bench
