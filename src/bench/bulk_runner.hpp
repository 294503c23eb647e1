// Runs bulk-data cases under Google Benchmark, as runner.hpp runs handshakes:
// one registered benchmark per case, its figures on state.counters.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bench/bulk_matrix.hpp"
#include "bench/runner.hpp"

namespace sslfeatures::bench {

// MB are 10^6 bytes of payload, as `openssl speed` counts them.
inline constexpr const char* kPairMBpsCounter = "pair_MBps";        // wall clock, both sides on one thread
inline constexpr const char* kSendMBpsCounter = "send_MBps";        // on the client's own CPU time
inline constexpr const char* kReceiveMBpsCounter = "recv_MBps";     // on the server's own CPU time
inline constexpr const char* kWirePerByteCounter = "wire_per_byte";  // bytes on the wire per payload byte
inline constexpr const char* kFloorSealCounter = "floor_seal_MBps";  // raw EVP record protection
inline constexpr const char* kFloorOpenCounter = "floor_open_MBps";
inline constexpr const char* kSendFloorRatioCounter = "send_floor_ratio";  // send CPU / floor; 0: no floor
inline constexpr const char* kReceiveFloorRatioCounter = "recv_floor_ratio";

struct BulkResult {
    std::string name;
    BulkCase c;
    std::vector<double> rates;  // pair MB/s, one per repetition
    double rate = 0;            // their median
    double cv = 0;
    double send_mbps = 0;
    double receive_mbps = 0;
    double wire_per_byte = 0;
    double floor_seal_mbps = 0;  // 0: no floor
    double floor_open_mbps = 0;
    std::string error;
};

struct BulkOutcome {
    std::vector<BulkResult> results;  // in matrix order
    std::vector<Skipped> skipped;
    std::vector<std::string> failures;
    std::string engine_message;
};

// RunOptions as for handshakes; the transport is always in memory and one
// thread carries each pair.
BulkOutcome run_bulk_cases(const BulkMatrix& matrix, const RunOptions& options, benchmark::BenchmarkReporter* display,
                           benchmark::BenchmarkReporter* file = nullptr);

}  // namespace sslfeatures::bench
