#include "tls/defaults.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "reflect/library_info.hpp"
#include "tls/context.hpp"
#include "tls/errors.hpp"
#include "tls/host_names.hpp"
#include "tls/versions.hpp"
#include "util/error.hpp"

namespace sslfeatures::tls {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kBitCategories[] = {"options", "verify_mode", "verify_flags",
                                               "hostname_checks", "session_cache"};

bool is_single_bit(reflect::Value v) {
    return !v.negative && v.magnitude != 0 && (v.magnitude & (v.magnitude - 1)) == 0;
}

const reflect::Section* find_section(const reflect::Catalogue& catalogue, std::string_view id) {
    for (const auto& s : catalogue.sections) {
        if (s.id == id) return &s;
    }
    return nullptr;
}

std::string hex_of(std::uint64_t v) { return fmt::format("0x{:x}", v); }

// ---- JSON --------------------------------------------------------------------

Json bits_json(const NamedBits& b) {
    Json j{{"value", b.value}, {"hex", hex_of(b.value)}, {"names", b.names}};
    if (b.unnamed != 0) j["unnamed"] = hex_of(b.unnamed);
    return j;
}

Json bound_json(const Bound& b, std::string_view zero_meaning) {
    Json j{{"value", b.value},
           {"hex", fmt::format("0x{:04x}", b.value)},
           {"name", b.value == 0 ? fmt::format("library {}", zero_meaning) : protocol_name(b.value)}};
    j["effective"] = b.effective ? Json(*b.effective) : Json(nullptr);
    j["effective_name"] = b.effective ? Json(protocol_name(*b.effective)) : Json(nullptr);
    return j;
}

// The hello's lists, or null when the probe failed (hello_probe_error says why).
void add_hello_json(Json& j, const ContextFacts& f) {
    if (!f.hello.ok) {
        j["versions_enabled"] = nullptr;
        j["groups"] = nullptr;
        j["signature_algorithms"] = nullptr;
        j["hello_probe_error"] = f.hello.error;
        return;
    }
    Json versions = Json::array();
    for (int v : f.hello.versions) versions.push_back({{"value", v}, {"name", protocol_name(v)}});
    j["versions_enabled"] = versions;
    j["versions_complete"] = f.hello.versions_complete;
    j["groups"] = f.hello.groups;
    Json schemes = Json::array();
    for (const auto& s : f.hello.signature_algorithms) {
        schemes.push_back({{"name", s.name()}, {"code", s.code().value_or(0)}, {"hex", s.hex()}});
    }
    j["signature_algorithms"] = schemes;
    // A server sends no ClientHello: its part of the probe is only a way to
    // read its lists.
    if (f.method == "TLS_server_method") return;
    j["client_hello"] = {{"bytes", f.hello.bytes},
                         {"key_shares", f.hello.key_shares},
                         {"ec_point_formats", f.hello.ec_point_formats},
                         {"renegotiation_info", f.hello.renegotiation_extension},
                         {"renegotiation_scsv", f.hello.renegotiation_scsv},
                         {"extensions", f.hello.extensions}};
}

// What `sslfeatures client` does to each connection beyond its context
// (client_cmd.cpp), applied to a probe SSL so that the host name check is read
// back rather than restated.
ConnectionSetup client_setup() {
    return {fmt::format("{} per connection", kSetHostCall),
            [](SSL* ssl) { expect_peer_name(ssl, "www.example.com"); }};
}

ContextFacts secure_facts(Role role) {
    ContextOptions options;
    options.role = role;  // no CA file: a client trusts the system store
    SslCtxPtr ctx = make_secure_context(options);
    // The server names no host for a client certificate to match.
    return read_context_facts(ctx.get(), role == Role::client ? client_setup() : ConnectionSetup{});
}

ContextFacts library_facts() {
    SslCtxPtr ctx(SSL_CTX_new(TLS_method()));
    if (!ctx) throw Error(kFailure, "cannot create a TLS context: " + openssl_error_text());
    return read_context_facts(ctx.get());
}

Json part_json(const ContextFacts& f, const BitNamer& namer) {
    Json j;
    j["method"] = f.method;
    j["min_protocol"] = bound_json(min_bound(f), "lowest");
    j["max_protocol"] = bound_json(max_bound(f), "highest");
    j["options"] = bits_json(namer.name("options", f.options));
    j["verify_mode"] = bits_json(verify_mode_bits(f, namer));
    j["verify_flags"] = bits_json(namer.name("verify_flags", f.verify_flags));
    j["host_flags"] = bits_json(namer.name("hostname_checks", f.host_flags));
    j["host_name_check"] = {{"on", f.host_check.on()},
                            {"name_checked", f.host_check.name_checked},
                            {"verify_peer", f.host_check.verify_peer},
                            {"how", f.host_check.how.empty() ? Json(nullptr) : Json(f.host_check.how)}};
    j["subject_cn_fallback"] = f.host_check.subject_cn_fallback;
    j["security_level"] = f.security_level;
    j["ciphers_tls12"] = f.tls12_ciphers;
    j["ciphersuites_tls13"] = f.tls13_suites;
    add_hello_json(j, f);
    j["session_cache_mode"] = bits_json(cache_mode_bits(f, namer));
    j["session_cache_size"] = f.session_cache_size;
    j["session_timeout"] = f.session_timeout;
    j["no_ticket"] = f.no_ticket;
    j["tls13_tickets"] = f.tls13_tickets;
    j["no_compression"] = f.no_compression;
    j["no_renegotiation"] = f.no_renegotiation;
    return j;
}

}  // namespace

// The versions the ClientHello offered give the bounds in effect; the lowest
// is known only when the hello listed them all.
Bound min_bound(const ContextFacts& f) {
    const auto& v = f.hello.versions;
    if (!f.hello.ok || v.empty() || !f.hello.versions_complete) return {f.min_protocol, {}};
    return {f.min_protocol, *std::min_element(v.begin(), v.end())};
}

Bound max_bound(const ContextFacts& f) {
    const auto& v = f.hello.versions;
    if (!f.hello.ok || v.empty()) return {f.max_protocol, {}};
    return {f.max_protocol, *std::max_element(v.begin(), v.end())};
}

// The two bit sets whose 0 has a name of its own.
NamedBits verify_mode_bits(const ContextFacts& f, const BitNamer& namer) {
    return namer.name("verify_mode", static_cast<std::uint64_t>(f.verify_mode), "SSL_VERIFY_NONE");
}

NamedBits cache_mode_bits(const ContextFacts& f, const BitNamer& namer) {
    return namer.name("session_cache", static_cast<std::uint64_t>(f.session_cache_mode),
                      "SSL_SESS_CACHE_OFF");
}

BitNamer::BitNamer() {
    const std::vector<std::string> ids(std::begin(kBitCategories), std::end(kBitCategories));
    catalogue_ = reflect::build_catalogue(ids);
}

NamedBits BitNamer::name(std::string_view category, std::uint64_t value,
                         std::string_view zero_name) const {
    NamedBits bits{value, {}, value};
    const reflect::Section* section = find_section(catalogue_, category);
    if (section == nullptr) return bits;
    for (const reflect::Row& row : section->rows) {
        // Zero-valued constants are mostly retired bits (SSL_OP_NO_SSLv2,
        // X509_V_FLAG_CB_ISSUER_CHECK): only the caller's named "nothing" is
        // a fair name for 0.
        if (value == 0 && row.name == zero_name && row.value.magnitude == 0) bits.names.push_back(row.name);
        if (!is_single_bit(row.value) || (value & row.value.magnitude) == 0) continue;
        bits.names.push_back(row.name);  // aliases of one bit are all listed
        bits.unnamed &= ~row.value.magnitude;
    }
    return bits;
}

std::vector<DefaultsPart> live_defaults_parts() {
    return {
        {"client", "secure client", secure_facts(Role::client)},
        {"server", "secure server", secure_facts(Role::server)},
        {"library_default", "library default", library_facts()},
    };
}

nlohmann::ordered_json defaults_json(const std::vector<DefaultsPart>& parts, const BitNamer& namer,
                                     const reflect::Configuration* config) {
    Json doc = reflect::document_head(kDefaultsSchema, kDefaultsSchemaVersion);
    if (config != nullptr) doc["configuration"] = reflect::configuration_json(*config);
    for (const DefaultsPart& part : parts) doc[part.id] = part_json(part.facts, namer);
    return doc;
}

}  // namespace sslfeatures::tls
