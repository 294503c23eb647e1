#include "cli/tls_options.hpp"

#include <fmt/format.h>

#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "cli/validators.hpp"
#include "tls/versions.hpp"

namespace sslfeatures::cli {
namespace {

// "[::1]" is how an IPv6 address is written beside a port; the name lookup
// wants it bare.
CLI::Validator without_brackets() {
    return CLI::Validator(
        [](std::string& host) -> std::string {
            const bool bracketed = host.size() > 2 && host.front() == '[' && host.back() == ']';
            if (bracketed && host.find(':') != std::string::npos) host = host.substr(1, host.size() - 2);
            return {};
        },
        "");
}

}  // namespace

tls::ContextOptions TlsOptions::context_options(tls::Role role) const {
    tls::ContextOptions c;
    c.role = role;
    c.ca_file = ca_file;
    c.cert_file = cert_file;
    if (!protocol.empty()) c.protocol = tls::parse_protocol(protocol);
    tls::set_cipher_option(c, cipher);
    c.groups = groups;
    c.alpn = alpn;
    c.insecure = insecure;
    return c;
}

void add_tls_options(CLI::App& sub, TlsOptions& o, tls::Role role) {
    const bool client = role == tls::Role::client;
    sub.add_option("host", o.host, client ? "Host name, IPv4 address, or IPv6 address (bare or in brackets: ::1, [::1])"
                                          : "Interface to listen on: a name or an IPv4 or IPv6 address (bare or in "
                                            "brackets); '' for every interface")
        ->required()
        ->transform(without_brackets());
    sub.add_option("port", o.port, client ? "TCP port" : "TCP port; 0 picks a free one")
        ->required()
        ->check(CLI::Range(client ? 1 : 0, 65535));
    sub.add_option("-a,--cafile", o.ca_file,
                   client ? "Trust these CAs (PEM) instead of the system's"
                          : "Require client certificates issued by these CAs (PEM)");
    sub.add_option("-p,--protocol", o.protocol,
                   fmt::format("Speak exactly this version: {}", tls::protocol_choices()))
        // More spellings than the list shows pass (tls1.2, 1.2): tls::parse_protocol decides.
        ->check(known_word("protocol", "protocols", std::string(tls::protocol_choices()),
                           [](const std::string& p) { return tls::parse_protocol(p).has_value(); }, "PROTOCOL"));
    sub.add_option("--cipher", o.cipher,
                   "OpenSSL cipher list for TLS 1.2, or TLS 1.3 suites (TLS_AES_128_GCM_SHA256:...)")
        ->check(non_empty("cipher list"));
    sub.add_option("--groups", o.groups, "Key-exchange groups, e.g. X25519:P-256")->check(non_empty("group list"));
    sub.add_option("--alpn", o.alpn, "Offer (client) or accept (server) this ALPN protocol; repeatable");
    sub.add_flag("--insecure", o.insecure,
                 client ? "Do NOT verify the server's certificate (every connection warns)"
                        : "Do not verify client certificates even with -a (every connection warns)");
    sub.add_flag("--report", o.report, "Print what was negotiated (test_tls.py's report)");
    sub.add_flag("-v,--verbose", o.verbose, "With --report, also print the peer's whole certificate");
    sub.add_option("-f,--format", o.format, "Output format: text, or json (one JSON object per line)")
        ->transform(named_value("format", "formats",
                                std::vector<std::pair<std::string, ReportFormat>>{{"text", ReportFormat::text},
                                                                                  {"json", ReportFormat::json}},
                                "FORMAT"))
        ->type_name("TEXT");
    sub.add_option("--timeout", o.timeout_s, "Seconds allowed for connecting and for the handshake (default 10)")
        ->check(seconds_between(0.01, 3600.0));
}

std::string json_line(const nlohmann::ordered_json& object) {
    return object.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

void print_report(const tls::Connection& conn, const tls::ReportContext& ctx, const TlsOptions& o) {
    const tls::ConnectionReport report = tls::connection_report(conn, ctx);
    if (o.json()) {
        auto j = render::report_json(report);
        if (o.verbose) j["peer_certificate_text"] = tls::peer_certificate_text(conn);
        print_out(json_line(j));
    } else {
        print_out(fmt::format("{}{}", render::ReportText{report}, o.verbose ? tls::peer_certificate_text(conn) : ""));
    }
}

}  // namespace sslfeatures::cli
