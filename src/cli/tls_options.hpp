// Options the client and the server share, registered once.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "tls/context.hpp"
#include "render/connection_report.hpp"
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
    bool json() const { return format == ReportFormat::json; }
};

// HOST PORT, -a, -p, --cipher, --groups, --alpn, --report, -v, --format,
// --timeout. The certificate option differs (-c for the client, -s for the
// server), so the caller adds it.
void add_tls_options(CLI::App& sub, TlsOptions& o, tls::Role role);

// With --format json every line on stdout is one JSON object with a "type"
// (README, "JSON lines"). A peer's bytes that are not UTF-8 are replaced
// (U+FFFD), never a reason to fail.
std::string json_line(const nlohmann::ordered_json& object);

// Prints the report of a finished handshake (text or JSON) and, with -v, the
// peer's certificate. One block, flushed, so concurrent servers don't interleave;
// throws StdoutError when standard output cannot be written.
void print_report(const tls::Connection& conn, const tls::ReportContext& ctx, const TlsOptions& o);

}  // namespace sslfeatures::cli
