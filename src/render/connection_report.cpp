#include "render/connection_report.hpp"

#include <cmath>

#include <fmt/format.h>

#include "render/dotted.hpp"
#include "tls/versions.hpp"

namespace sslfeatures::render {
namespace {

using Json = nlohmann::ordered_json;
using tls::ChainCertificate;
using tls::ConnectionReport;
using tls::Endpoint;
using tls::Role;
using tls::SignatureScheme;

// ---- text -----------------------------------------------------------------------------

std::string yes_no(bool b) { return b ? "Yes" : "No"; }

std::string none_or(const std::optional<std::string>& value) { return value.value_or("none"); }

std::string line(std::string_view title, std::string value) { return dotted_line(title, {std::move(value)}); }

std::string name_match_text(const ConnectionReport& r) {
    return *r.name_match ? "Yes" : fmt::format("No: '{}' is not among them", r.expected_host);
}

std::string ems_text(const ConnectionReport& r) {
    return r.version >= TLS1_3_VERSION ? "Yes (always in TLS 1.3)" : yes_no(r.extended_master_secret);
}

// test_tls.py's lines, in its order.
std::string chapter_text(const ConnectionReport& r) {
    std::string out;
    if (r.role == Role::client) {
        out += line("Address we want to talk to", r.address.python_repr());
    } else {
        out += line("Interface where we are listening", r.address.python_repr());
        out += line("Client has connected from address", r.client_address.value_or(Endpoint{}).python_repr());
    }
    out += line("Peer certificate", r.peer_certificate ? "provided" : "none");
    if (r.peer_certificate) out += dotted_line("Name(s) on peer certificate", r.peer_names);
    if (r.name_match) out += line("Whether name(s) match the hostname", name_match_text(r));
    if (r.store) {
        out += line("Certificates loaded of type crl", std::to_string(r.store->crl));
        out += line("Certificates loaded of type x509", std::to_string(r.store->x509));
        out += line("Certificates loaded of type x509_ca", std::to_string(r.store->x509_ca));
    }
    out += line("Protocol version negotiated", r.protocol);
    out += line("Cipher chosen for this connection", r.cipher);
    out += line("Cipher defined in TLS version", r.cipher_version);
    out += line("Cipher key has this many bits", std::to_string(r.cipher_bits));
    out += line("Compression algorithm in use", none_or(r.compression));
    return out;
}

std::string chain_text(const std::vector<ChainCertificate>& chain) {
    std::string out;
    for (std::size_t i = 0; i < chain.size(); ++i) {
        const ChainCertificate& c = chain[i];
        out += dotted_line(fmt::format("Peer chain certificate {}", i),
                                   {fmt::format("subject {};", c.subject), fmt::format("issuer {};", c.issuer),
                                    fmt::format("{};", c.key), fmt::format("not after {}", c.not_after)});
    }
    return out;
}

std::string report_text(const ConnectionReport& r) {
    std::string out = chapter_text(r);
    // Beyond test_tls.py.
    out += line("Key-exchange group", none_or(r.group));
    // One item: a scheme never parts from its code point when the line wraps.
    out += dotted_items("Peer signature algorithm",
                                {r.peer_signature ? fmt::format("{}", *r.peer_signature) : "none"});
    out += line("ALPN protocol", none_or(r.alpn));
    out += line("Server name indication (SNI)", none_or(r.sni));
    out += line("Session resumed", yes_no(r.resumed));
    out += line("Extended master secret", ems_text(r));
    if (r.asked_for_ocsp) {
        out += line("OCSP staple", r.ocsp_staple_bytes ? fmt::format("{} bytes", *r.ocsp_staple_bytes) : "none");
    }
    out += chain_text(r.chain);
    out += line("Handshake time", fmt::format("{:.2f} ms", r.handshake_ms));
    return out;
}

// ---- JSON -----------------------------------------------------------------------------

Json optional_json(const std::optional<std::string>& value) { return value ? Json(*value) : Json(nullptr); }

Json scheme_json(const std::optional<SignatureScheme>& s) {
    if (!s) return nullptr;
    return {{"name", s->name()},
            {"code", s->code() ? Json(*s->code()) : Json(nullptr)},
            {"hex", s->code() ? Json(s->hex()) : Json(nullptr)}};
}

Json chain_json(const std::vector<ChainCertificate>& chain) {
    Json list = Json::array();
    for (const ChainCertificate& c : chain) {
        list.push_back({{"subject", c.subject}, {"issuer", c.issuer}, {"key", c.key}, {"not_after", c.not_after}});
    }
    return list;
}

void add_chapter_json(Json& j, const ConnectionReport& r) {
    j["role"] = r.role == Role::client ? "client" : "server";
    j[r.role == Role::client ? "address" : "interface"] = endpoint_json(r.address);
    if (r.client_address) j["client_address"] = endpoint_json(*r.client_address);
    j["peer_certificate"] = r.peer_certificate;
    if (r.peer_certificate) j["peer_names"] = r.peer_names;
    if (r.name_match) j["name_match"] = *r.name_match;
    if (r.store) {
        j["crl"] = r.store->crl;
        j["x509"] = r.store->x509;
        j["x509_ca"] = r.store->x509_ca;
    }
    j["protocol"] = r.protocol;
    j["cipher"] = r.cipher;
    j["cipher_version"] = r.cipher_version;
    j["cipher_bits"] = r.cipher_bits;
    j["compression"] = optional_json(r.compression);
}

}  // namespace


nlohmann::ordered_json report_json(const ConnectionReport& r) {
    Json j;
    j["type"] = "report";
    add_chapter_json(j, r);
    j["group"] = optional_json(r.group);
    j["peer_signature"] = scheme_json(r.peer_signature);
    j["alpn"] = optional_json(r.alpn);
    j["sni"] = optional_json(r.sni);
    j["resumed"] = r.resumed;
    j["extended_master_secret"] = r.extended_master_secret;
    if (r.asked_for_ocsp) j["ocsp_staple_bytes"] = r.ocsp_staple_bytes ? Json(*r.ocsp_staple_bytes) : Json(nullptr);
    j["chain"] = chain_json(r.chain);
    // The text's two decimals, as a number.
    j["handshake_ms"] = std::round(r.handshake_ms * 100) / 100;
    return j;
}

nlohmann::ordered_json endpoint_json(const Endpoint& endpoint) {
    return {{"host", endpoint.host}, {"port", endpoint.port}};
}

}  // namespace sslfeatures::render

fmt::format_context::iterator fmt::formatter<sslfeatures::render::ReportText>::format(
    const sslfeatures::render::ReportText& text, fmt::format_context& ctx) const {
    return fmt::format_to(ctx.out(), "{}", sslfeatures::render::report_text(text.report));
}
