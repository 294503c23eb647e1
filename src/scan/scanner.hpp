// `sslfeatures scan`'s work: the phases that find what a server accepts.
// Versions first (everything else is asked per accepted version), then
// suites, groups and signature schemes, then the certificates those probes
// brought back, ALPN, and the behaviours (resumption, renegotiation, ...).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "scan/scan.hpp"

namespace sslfeatures::scan {

struct ScanOptions {
    int at_once = 8;                  // connections open at the same time
    int at_most = 2000;               // connections in all
    std::chrono::milliseconds timeout{5000};  // per connection
    std::string ca_file;              // trust these for the certificate verdicts; empty: the system's store
    // Called as each phase starts ("suites", ...), with the connections made so far.
    std::function<void(std::string_view phase, int connections)> progress;
};

// "host", "host:port", "[v6]:port", "v6" (no port): tls::parse_host_port,
// the port 443 by default, and the name sent as SNI unless it is an address.
Target parse_target(std::string_view text);

// Throws Error when the server cannot be reached at all or the budget runs out.
ScanResult run_scan(const Target& target, const ScanOptions& options);

}  // namespace sslfeatures::scan
