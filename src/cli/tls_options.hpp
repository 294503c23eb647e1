// Options the client and the server share, registered once.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "tls/context.hpp"
#include "tls/report.hpp"

namespace sslfeatures::cli {

enum class ReportFormat { text, json };

struct TlsOptions {
    std::string host;
    int port = 0;
    std::string ca_file;
    std::string cert_file;
    std::string protocol;
    std::string cipher;
    std::string groups;
    std::vector<std::string> alpn;
    bool insecure = false;
    bool report = false;
    bool verbose = false;
    ReportFormat format = ReportFormat::text;
    double timeout_s = 10;

    tls::ContextOptions context_options(tls::Role role) const;
};

// HOST PORT, -a, -p, --cipher, --groups, --alpn, --report, -v, --format,
// --timeout. The certificate option differs (-c for the client, -s for the
// server), so the caller adds it.
void add_tls_options(CLI::App& sub, TlsOptions& o, tls::Role role);

// Prints the report of a finished handshake (text or JSON) and, with -v, the
// peer's certificate. One block, flushed, so concurrent servers don't interleave;
// throws StdoutError when standard output cannot be written.
void print_report(const tls::Connection& conn, const tls::ReportContext& ctx, const TlsOptions& o);

}  // namespace sslfeatures::cli
