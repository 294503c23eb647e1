// `sslfeatures client HOST PORT`: safe_tls.py's client (verify the server,
// send a message, close) and, with --report, test_tls.py's report.
#include <chrono>
#include <iostream>
#include <iterator>
#include <memory>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "cli/tls_options.hpp"
#include "tls/connection.hpp"
#include "tls/net.hpp"

namespace sslfeatures::cli {
namespace {

struct ClientOptions : TlsOptions {
    std::string message = "Simple is better than complex.";
    bool from_stdin = false;
};

std::string host_port(const std::string& host, int port) {
    return host.find(':') != std::string::npos ? fmt::format("[{}]:{}", host, port)
                                               : fmt::format("{}:{}", host, port);
}

// safe_tls.py's line, or with --format json the same fact as a typed object.
std::string connected_line(const ClientOptions& o) {
    if (o.json()) return json_line({{"type", "connected"}, {"address", render::endpoint_json({o.host, o.port})}});
    return fmt::format("Connected to host '{}' and port {}\n", o.host, o.port);
}

int run_client(const ClientOptions& o) {
    auto ctx = tls::make_secure_context(o.context_options(tls::Role::client));
    if (o.report) {
        // Ask for a stapled OCSP response so the report can say whether one came.
        if (SSL_CTX_set_tlsext_status_type(ctx.get(), TLSEXT_STATUSTYPE_ocsp) != 1) {
            throw Error(kFailure, "cannot ask for a stapled OCSP response: " + openssl_error_text());
        }
    }
    const auto timeout = std::chrono::milliseconds(static_cast<long>(o.timeout_s * 1000));
    const std::string peer = host_port(o.host, o.port);

    tls::Socket socket = tls::connect_tcp(o.host, o.port, tls::deadline_after(timeout, "--timeout"));
    if (!o.report) print_out(connected_line(o));
    tls::Connection conn(ctx.get(), std::move(socket), tls::Role::client, peer);
    tls::expect_peer_name(conn.ssl(), o.host);
    conn.handshake(tls::deadline_after(timeout, "--timeout"));
    if (o.insecure) print_warning(fmt::format("--insecure: the certificate of {} was NOT verified", peer));

    if (o.report) {
        tls::ReportContext rc;
        rc.role = tls::Role::client;
        rc.address = tls::Endpoint{o.host, o.port};
        rc.expected_host = o.host;
        rc.verified = !o.insecure;
        print_report(conn, rc, o);
    }
    std::string data = o.message;
    if (o.from_stdin) data.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    conn.write_all(data, tls::deadline_after(timeout, "--timeout"));
    conn.close_and_drain(tls::deadline_after(timeout, "--timeout"));
    return kOk;
}

}  // namespace

Runner setup_client(CLI::App& sub) {
    auto o = std::make_shared<ClientOptions>();
    add_tls_options(sub, *o, tls::Role::client);
    sub.add_option("-c,--cert", o->cert_file, "Our client certificate and key (PEM)");
    auto* message = sub.add_option("-m,--message", o->message,
                                   "Send this instead of 'Simple is better than complex.'");
    sub.add_flag("--stdin", o->from_stdin, "Send standard input instead of the message")->excludes(message);
    return [o] { return run_client(*o); };
}

}  // namespace sslfeatures::cli
