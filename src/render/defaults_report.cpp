#include "render/defaults_report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <openssl/crypto.h>

#include "render/dotted.hpp"
#include "render/features_layout.hpp"
#include "tls/host_names.hpp"
#include "tls/versions.hpp"

namespace sslfeatures::render {
namespace {

using tls::BitNamer;
using tls::Bound;
using tls::ContextFacts;
using tls::DefaultsPart;
using tls::NamedBits;
using tls::protocol_name;

std::string hex_of(std::uint64_t v) { return fmt::format("0x{:x}", v); }

// ---- the facts in words ----------------------------------------------------

// "TLSv1.2 (0x0303)"; after a colon the effective version, when it says
// more: "0 (library lowest): TLSv1", "TLSv1 (0x0301): TLSv1.2".
std::string bound_text(const Bound& b, std::string_view zero_meaning) {
    const bool say_effective = b.effective && (b.value == 0 || *b.effective != b.value);
    const std::string effective = say_effective ? ": " + protocol_name(*b.effective) : "";
    if (b.value == 0) return fmt::format("0 (library {}){}", zero_meaning, effective);
    return fmt::format("{} (0x{:04x}){}", protocol_name(b.value), b.value, effective);
}

std::string bits_text(const NamedBits& b) {
    std::string text = hex_of(b.value) + ":";
    for (const std::string& name : b.names) text += " " + name;
    if (b.names.empty() && b.unnamed == 0) text += " none";
    if (b.unnamed != 0) text += " unnamed " + hex_of(b.unnamed);
    return text;
}

std::string list_text(const std::vector<std::string>& items) {
    return items.empty() ? "none" : fmt::format("{}", fmt::join(items, " "));
}

std::string not_readable(const ContextFacts& f) {
    return fmt::format("not readable ({})", f.hello.error);
}

std::string versions_text(const ContextFacts& f) {
    if (!f.hello.ok) return not_readable(f);
    std::vector<std::string> names;
    for (int v : f.hello.versions) names.push_back(protocol_name(v));
    // Without supported_versions a hello names only its highest version.
    if (!f.hello.versions_complete) names.back() += " and perhaps lower";
    return list_text(names);
}

std::string groups_text(const ContextFacts& f) {
    return f.hello.ok ? list_text(f.hello.groups) : not_readable(f);
}

// "off (SSL_OP_NO_TICKET)" or "on (no SSL_OP_NO_TICKET)": what the option
// bit says, nothing more (compression also needs zlib and a willing peer).
std::string option_state(bool set, std::string_view option) {
    return set ? fmt::format("off ({})", option) : fmt::format("on (no {})", option);
}

// Python's check_hostname: a name to check, and SSL_VERIFY_PEER so that a
// mismatch ends the handshake.
std::string host_check_text(const tls::HostCheck& h) {
    if (h.on()) return "on: " + h.how;
    if (h.name_checked) return "off: a name is set, but without SSL_VERIFY_PEER a mismatch is not fatal";
    return fmt::format("off: connections are given no host name (no {})", tls::kSetHostCall);
}

// Python's hostname_checks_common_name.
std::string cn_fallback_text(const tls::HostCheck& h) {
    constexpr std::string_view flag = "X509_CHECK_FLAG_NEVER_CHECK_SUBJECT";
    return h.subject_cn_fallback ? fmt::format("on when a certificate has no DNS name (no {})", flag)
                                 : fmt::format("off ({})", flag);
}

// ---- text --------------------------------------------------------------------

struct Line {
    std::string_view title;
    std::string value;
    // Instead of value: a list whose items hold spaces and wrap whole.
    std::vector<std::string> items = {};
};

// Each scheme with its code point, "ecdsa_secp256r1_sha256 (0x0403)".
Line signature_line(const ContextFacts& f) {
    constexpr std::string_view title = "Signature algorithms";
    if (!f.hello.ok) return {title, not_readable(f)};
    if (f.hello.signature_algorithms.empty()) return {title, "none"};
    std::vector<std::string> items;
    for (const auto& s : f.hello.signature_algorithms) items.push_back(fmt::format("{}", s));
    return {title, {}, std::move(items)};
}

// What the first flight of a client made from this context carries: its size,
// the groups it sends key shares for, and how it signals secure renegotiation
// and point formats. A server context sends no ClientHello.
std::vector<Line> client_hello_lines(const ContextFacts& f) {
    if (f.method == "TLS_server_method" || !f.hello.ok) return {};
    const auto& h = f.hello;
    std::vector<std::string> signals;
    if (h.renegotiation_extension) signals.emplace_back("renegotiation_info extension");
    if (h.renegotiation_scsv) signals.emplace_back("TLS_EMPTY_RENEGOTIATION_INFO_SCSV");
    return {
        {"ClientHello size", fmt::format("{} bytes", h.bytes)},
        {"ClientHello key shares", list_text(h.key_shares)},
        {"Secure renegotiation signal", signals.empty() ? "none" : fmt::format("{}", fmt::join(signals, " and "))},
        {"EC point formats offered", list_text(h.ec_point_formats)},
        {"ClientHello extensions", list_text(h.extensions)},
    };
}

std::vector<Line> part_lines(const ContextFacts& f, const BitNamer& namer) {
    std::vector<Line> lines = {
        {"Method", f.method + "()"},
        {"Minimum protocol version", bound_text(tls::min_bound(f), "lowest")},
        {"Maximum protocol version", bound_text(tls::max_bound(f), "highest")},
        {"Protocol versions enabled", versions_text(f)},
        {"Options", bits_text(namer.name("options", f.options))},
        {"Verify mode", bits_text(tls::verify_mode_bits(f, namer))},
        {"Verify flags", bits_text(namer.name("verify_flags", f.verify_flags))},
        {"Host name check flags", bits_text(namer.name("hostname_checks", f.host_flags))},
        {"Host name check", host_check_text(f.host_check)},
        {"Subject CN fallback", cn_fallback_text(f.host_check)},
        {"Security level", std::to_string(f.security_level)},
        {"TLS 1.2 and older ciphers", list_text(f.tls12_ciphers)},
        {"TLS 1.3 cipher suites", list_text(f.tls13_suites)},
        {"Key-exchange groups", groups_text(f)},
        signature_line(f),
        {"Session cache mode", bits_text(tls::cache_mode_bits(f, namer))},
        {"Session cache size", fmt::format("{} sessions", f.session_cache_size)},
        {"Session timeout", fmt::format("{} seconds", f.session_timeout)},
        {"Session tickets", option_state(f.no_ticket, "SSL_OP_NO_TICKET")},
        {"TLS 1.3 tickets a server sends", std::to_string(f.tls13_tickets)},
        {"Compression", option_state(f.no_compression, "SSL_OP_NO_COMPRESSION")},
        {"Renegotiation", option_state(f.no_renegotiation, "SSL_OP_NO_RENEGOTIATION")},
    };
    for (Line& line : client_hello_lines(f)) lines.push_back(std::move(line));
    return lines;
}

std::string part_text(const DefaultsPart& part, const BitNamer& namer) {
    std::string out = center(" " + part.title + " ", kLineWidth, '-') + "\n";
    for (const Line& line : part_lines(part.facts, namer)) {
        out += line.items.empty() ? dotted_line(line.title, {line.value}) : dotted_items(line.title, line.items);
    }
    return out + "\n";
}

// Where the file came from first, so the title line always has words on it
// when the path itself is longer than the line.
std::string file_text(const reflect::Configuration& c) {
    const std::string how = c.chosen_by == "OPENSSL_CONF" ? "from OPENSSL_CONF:" : "at the default path:";
    return c.present ? fmt::format("{} {}", how, c.file) : fmt::format("none {} {}; built-in defaults", how, c.file);
}

// What the file asks of the library and which providers run: printed first,
// since it shapes every context below.
std::string configuration_text(const reflect::Configuration& c) {
    std::string out = center(" configuration ", kLineWidth, '-') + "\n";
    out += dotted_line("Configuration file", {file_text(c)});
    std::vector<std::string> settings;
    for (const auto& s : c.settings) settings.push_back(fmt::format("{} = {};", s.name, s.value));
    if (!settings.empty()) settings.back().pop_back();
    out += settings.empty() ? dotted_line("Settings", {"none"}) : dotted_items("Settings", settings);
    std::vector<std::string> providers;
    for (const auto& p : c.providers) providers.push_back(p.version.empty() ? p.name : p.name + " " + p.version);
    const std::string none = OPENSSL_VERSION_NUMBER >= 0x30000000L ? "none" : "none (providers came with 3.0)";
    out += dotted_line("Providers loaded", {providers.empty() ? none : fmt::format("{}", fmt::join(providers, ", "))});
    return out + "\n";
}

}  // namespace

}  // namespace sslfeatures::render

fmt::format_context::iterator fmt::formatter<sslfeatures::render::DefaultsText>::format(
    const sslfeatures::render::DefaultsText& text, fmt::format_context& ctx) const {
    auto out = fmt::format_to(ctx.out(), "\n{}", sslfeatures::render::configuration_text(text.config));
    for (const auto& part : text.parts) out = fmt::format_to(out, "{}", sslfeatures::render::part_text(part, text.namer));
    return fmt::format_to(out, "{}\n", OpenSSL_version(OPENSSL_VERSION));
}
