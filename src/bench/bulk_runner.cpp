#include "bench/bulk_runner.hpp"

#include <chrono>
#include <memory>
#include <tuple>

#include <benchmark/benchmark.h>

#include "bench/bulk.hpp"
#include "bench/bulk_floor.hpp"
#include "bench/fixture.hpp"
#include "util/error.hpp"

namespace sslfeatures::bench {
namespace {

using Clock = std::chrono::steady_clock;

double mbps(double bytes, double ns) {
    return ns > 0 ? bytes / ns * 1e3 : 0;
}

void set_counters(benchmark::State& state, BulkPair& pair, const BulkCase& c, double wall_s) {
    using benchmark::Counter;
    const auto payload = static_cast<double>(c.payload);
    const SideCosts costs = pair.side_costs();
    SSL* client = pair.client();
    const SSL_CIPHER* cipher = SSL_get_current_cipher(client);
    const BulkFloor floor = bulk_floor(cipher, SSL_version(client), c.payload, c.handshake.encrypt_then_mac);
    state.counters[kPairMBpsCounter] = wall_s > 0 ? payload * static_cast<double>(state.iterations()) / wall_s / 1e6 : 0;
    state.counters[kSendMBpsCounter] = mbps(payload, costs.send_ns);
    state.counters[kReceiveMBpsCounter] = mbps(payload, costs.receive_ns);
    state.counters[kWirePerByteCounter] = pair.wire_per_byte();
    state.counters[kFloorSealCounter] = mbps(payload, floor.seal_ns);
    state.counters[kFloorOpenCounter] = mbps(payload, floor.open_ns);
    state.counters[kSendFloorRatioCounter] = floor.seal_ns > 0 ? costs.send_ns / floor.seal_ns : 0;
    state.counters[kReceiveFloorRatioCounter] = floor.open_ns > 0 ? costs.receive_ns / floor.open_ns : 0;
    state.counters[kVersionCounter] = SSL_version(client);
    state.counters[kCipherIdCounter] = cipher ? SSL_CIPHER_get_protocol_id(cipher) : 0;
}

// Set up and check outside the timed loop; payloads; then the last payload
// compared with what was sent, and each side's costs measured in bursts.
void run_case(benchmark::State& state, const BulkCase& c) {
    std::unique_ptr<BulkPair> pair;
    std::string problem;
    try {
        pair = std::make_unique<BulkPair>(c);
        problem = pair->prime();
    } catch (const Error& e) {
        problem = e.what();
    }
    if (!problem.empty()) state.SkipWithError(problem.c_str());
    const auto start = Clock::now();
    for (auto _ : state) {
        if (!pair->transfer()) {
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
    try {
        set_counters(state, *pair, c, wall_s);
    } catch (const Error& e) {
        state.SkipWithError(e.what());
    }
    if (!pair->error().empty()) state.SkipWithError(pair->error().c_str());
}

BulkResult result_of(const BulkCase& c, const Collected& collected) {
    BulkResult r;
    r.name = c.name();
    r.c = c;
    r.error = collected.error;
    Series rates = series_of(collected, kPairMBpsCounter);
    std::tie(r.rates, r.rate, r.cv) = std::tie(rates.values, rates.median, rates.cv);
    if (collected.runs.empty()) return r;
    const Counters& last = collected.runs.back();
    r.send_mbps = counter(last, kSendMBpsCounter);
    r.receive_mbps = counter(last, kReceiveMBpsCounter);
    r.wire_per_byte = counter(last, kWirePerByteCounter);
    r.floor_seal_mbps = counter(last, kFloorSealCounter);
    r.floor_open_mbps = counter(last, kFloorOpenCounter);
    return r;
}

}  // namespace

BulkOutcome run_bulk_cases(const BulkMatrix& matrix, const RunOptions& options, benchmark::BenchmarkReporter* display,
                           benchmark::BenchmarkReporter* file) {
    benchmark::ClearRegisteredBenchmarks();
    for (const BulkCase& c : matrix.cases) {
        bench_leaf(c.handshake.key);  // certificates first, outside any timing
        auto* b = benchmark::RegisterBenchmark(c.name().c_str(), [c](benchmark::State& state) { run_case(state, c); });
        b->Unit(benchmark::kMicrosecond);
        if (options.iterations) b->Iterations(*options.iterations);
        if (options.min_time && !options.iterations) b->MinTime(*options.min_time);
        if (options.repetitions > 0) b->Repetitions(options.repetitions);
    }
    for (const Skipped& s : matrix.skipped) register_skipped(s);

    Collection collection = run_registered(display, file, matrix.cases.size() + matrix.skipped.size(), options.progress);
    BulkOutcome outcome;
    outcome.engine_message = std::move(collection.engine_message);
    outcome.skipped = matrix.skipped;
    for (const BulkCase& c : matrix.cases) {
        auto it = collection.results.find({c.name(), 1});
        if (it == collection.results.end()) continue;  // left out by --benchmark_filter
        BulkResult r = result_of(c, it->second);
        if (!r.error.empty()) outcome.failures.push_back(r.error);
        outcome.results.push_back(std::move(r));
    }
    return outcome;
}

}  // namespace sslfeatures::bench
