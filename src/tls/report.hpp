// What was negotiated on a connection: test_tls.py's report, line by line, and
// the further facts OpenSSL can tell (group, signature, ALPN, chain ...).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tls/connection.hpp"

namespace sslfeatures::tls {

struct ReportLine {
    std::string key;    // for JSON: "protocol", "cipher" ...
    std::string title;  // for text: "Protocol version negotiated"
    std::vector<std::string> values;
};

struct ReportContext {
    Role role = Role::client;
    Endpoint address;          // client: where we connect; server: where we listen
    Endpoint client_address;   // server only
    std::string expected_host; // client only: the name or address we asked for
    bool verified = true;      // false under --insecure
    bool loaded_cas = false;   // server only: it was given -a
};

std::vector<ReportLine> connection_report(const Connection& conn, const ReportContext& context);

std::string report_text(const std::vector<ReportLine>& lines);
nlohmann::ordered_json report_json(const std::vector<ReportLine>& lines);

// The peer's whole certificate, as `openssl x509 -text` prints it.
std::string peer_certificate_text(const Connection& conn);

}  // namespace sslfeatures::tls
