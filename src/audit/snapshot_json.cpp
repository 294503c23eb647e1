#include "audit/snapshot_json.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "audit/json_node.hpp"
#include "tls/signature_schemes.hpp"

namespace sslfeatures::audit {
namespace {

// ---- writing -------------------------------------------------------------

Json value_json(reflect::Value v) {
    if (!v.negative) return v.magnitude;
    return -static_cast<std::int64_t>(v.magnitude);
}

Json library_json(const std::vector<LibraryFact>& facts) {
    Json j = Json::object();
    for (const auto& f : facts) j[f.name] = f.text;
    return j;
}

Json constants_json(const std::vector<ConstantCategory>& categories) {
    Json j = Json::object();
    for (const auto& c : categories) {
        Json values = Json::object();
        for (const auto& constant : c.constants) values[constant.name] = value_json(constant.value);
        j[c.id] = {{"title", c.title}, {"values", std::move(values)}};
    }
    return j;
}

Json features_json(const std::vector<Feature>& features) {
    Json j = Json::object();
    for (const auto& f : features) j[f.name] = {{"available", f.available}, {"source", f.source}};
    return j;
}

bool enabled_by_default(const Cipher& c, const std::vector<ProtocolCiphers>& lists) {
    for (const auto& list : lists) {
        if (std::find(list.ciphers.begin(), list.ciphers.end(), c.name) != list.ciphers.end()) return true;
    }
    return false;
}

Json ciphers_json(const std::vector<Cipher>& ciphers, const std::vector<ProtocolCiphers>& lists) {
    Json j = Json::array();
    for (const auto& c : ciphers) {
        j.push_back({{"id", fmt::format("0x{:04x}", c.id)},
                     {"name", c.name},
                     {"iana_name", c.iana_name},
                     {"protocol", c.protocol},
                     {"kx", c.kx},
                     {"auth", c.auth},
                     {"enc", c.enc},
                     {"mac", c.mac},
                     {"bits", c.bits},
                     {"aead", c.aead}});
        // Version 3 on: `enabled` is for readers; it is read back from
        // protocol_ciphers.
        if (c.usable) {
            j.back()["usable"] = *c.usable;
            j.back()["enabled"] = enabled_by_default(c, lists);
        }
    }
    return j;
}

Json build_json(const BuildInfo& b) { return {{"defines", b.defines}, {"platform", b.platform}}; }

Json certificates_json(const std::vector<CertificateProbe>& probes) {
    Json j = Json::object();
    for (const auto& p : probes) {
        Json verdicts = Json::object();
        for (const auto& v : p.verdicts) verdicts[v.side] = {{"accepted", v.accepted}, {"detail", v.detail}};
        j[p.id] = {{"description", p.description}, {"verdicts", std::move(verdicts)}};
    }
    return j;
}

Json protocol_ciphers_json(const std::vector<ProtocolCiphers>& lists) {
    Json j = Json::object();
    for (const auto& l : lists) j[l.protocol] = l.ciphers;
    return j;
}

Json protocols_json(const std::vector<ProtocolResult>& protocols) {
    Json j = Json::object();
    for (const auto& p : protocols) {
        Json attempts = Json::object();
        for (const auto& a : p.attempts) attempts[a.key] = {{"ok", a.ok}, {"detail", a.detail}};
        j[p.protocol] = {{"version", p.version}, {"attempts", std::move(attempts)}};
    }
    return j;
}

// `unit` names the rate: "handshakes_per_second", or "mb_per_second" for the
// bulk cases.
Json bench_json(const std::vector<BenchCase>& cases, const char* unit = "handshakes_per_second") {
    Json list = Json::array();
    for (const auto& c : cases) {
        list.push_back({{"id", c.id}, {unit, c.handshakes_per_second}, {"cv", c.cv}, {"repetitions", c.repetitions}});
    }
    return {{"cases", std::move(list)}};
}

Json memory_json(const std::vector<MemoryCase>& cases) {
    Json list = Json::array();
    for (const auto& c : cases) {
        list.push_back({{"id", c.id},
                        {"client", c.client},
                        {"server", c.server},
                        {"client_released", c.client_released},
                        {"server_released", c.server_released}});
    }
    return {{"cases", std::move(list)}};
}

// ---- reading -------------------------------------------------------------

// The document's schema version, when this reader knows it.
int check_schema(const Node& root) {
    if (!root.json().is_object()) root.expected("a snapshot (a JSON object)");
    const std::string schema = root.at("schema").text();
    if (schema != kSnapshotSchema) {
        root.at("schema").fail(fmt::format("this is a '{}' document, not a snapshot ('{}'); make one with "
                                           "`sslfeatures snapshot`", schema, kSnapshotSchema));
    }
    const reflect::Value version = root.at("schema_version").value();
    if (version.negative || version.magnitude < kOldestSnapshotSchemaVersion ||
        version.magnitude > kSnapshotSchemaVersion) {
        root.at("schema_version").fail(fmt::format(
            "schema version {}{} is not one this sslfeatures reads (it reads {} to {})", version.negative ? "-" : "",
            version.magnitude, kOldestSnapshotSchemaVersion, kSnapshotSchemaVersion));
    }
    return static_cast<int>(version.magnitude);
}

// ---- version 1: OpenSSL's names for signature schemes ----------------------------

// Four hex digits, all of `digits`; nullopt otherwise.
std::optional<std::uint16_t> hex4(std::string_view digits) {
    if (digits.size() != 4 || digits.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos) {
        return std::nullopt;
    }
    return static_cast<std::uint16_t>(std::stoul(std::string(digits), nullptr, 16));
}

// Version 1 wrote "ecdsa-with-SHA256(0x0403)": OpenSSL's object names, which
// give two schemes one name, but always with the code point, which is what
// the registry's name is looked up by. A code point alone ("0x0a0a") is how
// a scheme the registry lacks is written once read.
std::string upgraded_scheme(const Node& node) {
    const std::string text = node.text();
    const std::size_t open = text.rfind("(0x");
    std::optional<std::uint16_t> code;
    if (open != std::string::npos && text.back() == ')') {
        code = hex4(std::string_view(text).substr(open + 3, text.size() - open - 4));
    } else if (text.rfind("0x", 0) == 0) {
        code = hex4(std::string_view(text).substr(2));
    }
    if (!code) node.fail(fmt::format("'{}' is not a signature scheme like \"RSA-SHA256(0x0401)\"", text));
    return fmt::format("{}", tls::SignatureScheme::from_code(*code));
}

std::vector<std::string> upgraded_schemes(const Node& list) {
    std::vector<std::string> out;
    list.for_each_item([&](const Node& item) { out.push_back(upgraded_scheme(item)); });
    return out;
}

// The defaults' {name, code, hex} items get the registry's name for their
// code. The defaults are kept as JSON, unchecked: items without a usable
// code stay as they are.
Json upgraded_defaults(Json defaults) {
    for (auto& part : defaults) {
        const auto list = part.is_object() ? part.find("signature_algorithms") : part.end();
        if (!part.is_object() || list == part.end() || !list->is_array()) continue;
        for (auto& scheme : *list) {
            const auto code = scheme.is_object() ? scheme.find("code") : scheme.end();
            if (!scheme.is_object() || code == scheme.end() || !code->is_number_unsigned() ||
                code->get<std::uint64_t>() > 0xffff) {
                continue;
            }
            scheme["name"] = tls::SignatureScheme::from_code(code->get<std::uint16_t>()).name();
        }
    }
    return defaults;
}

std::vector<ConstantCategory> read_constants(const Node& node) {
    std::vector<ConstantCategory> out;
    node.for_each_member([&](const std::string& id, const Node& category) {
        ConstantCategory c{id, category.at("title").text(), {}};
        category.at("values").for_each_member(
            [&](const std::string& name, const Node& value) { c.constants.push_back({name, value.value()}); });
        out.push_back(std::move(c));
    });
    return out;
}

std::vector<Feature> read_features(const Node& node) {
    std::vector<Feature> out;
    node.for_each_member([&](const std::string& name, const Node& f) {
        out.push_back({name, f.at("available").boolean(), f.at("source").text()});
    });
    return out;
}

std::uint32_t read_cipher_id(const Node& node) {
    const std::string text = node.text();
    unsigned long id = 0;
    std::size_t used = 0;
    try {
        id = std::stoul(text, &used, 16);
    } catch (const std::exception&) {
        used = 0;
    }
    if (text.size() < 3 || text.compare(0, 2, "0x") != 0 || used != text.size() || id > 0xffff) {
        node.fail(fmt::format("'{}' is not a two-byte code point like \"0x1301\"", text));
    }
    return static_cast<std::uint32_t>(id);
}

std::vector<Cipher> read_ciphers(const Node& node) {
    std::vector<Cipher> out;
    node.for_each_item([&](const Node& c) {
        out.push_back({read_cipher_id(c.at("id")), c.at("name").text(), c.at("iana_name").text(),
                       c.at("protocol").text(), c.at("kx").text(), c.at("auth").text(),
                       c.at("enc").text(), c.at("mac").text(), c.at("bits").small_int(),
                       c.at("aead").boolean(), std::nullopt});
        if (c.has("usable")) out.back().usable = c.at("usable").boolean();
    });
    return out;
}

std::vector<ProtocolCiphers> read_protocol_ciphers(const Node& node) {
    std::vector<ProtocolCiphers> out;
    node.for_each_member([&](const std::string& protocol, const Node& list) {
        out.push_back({protocol, list.strings()});
    });
    return out;
}

std::vector<ProtocolResult> read_protocols(const Node& node) {
    std::vector<ProtocolResult> out;
    node.for_each_member([&](const std::string& protocol, const Node& p) {
        ProtocolResult r{protocol, p.at("version").small_int(), {}};
        p.at("attempts").for_each_member([&](const std::string& key, const Node& a) {
            r.attempts.push_back({key, a.at("ok").boolean(), a.at("detail").text()});
        });
        out.push_back(std::move(r));
    });
    return out;
}

reflect::Configuration read_configuration(const Node& node) {
    reflect::Configuration c;
    if (node.has("file")) c.file = node.at("file").text();
    if (node.has("chosen_by")) c.chosen_by = node.at("chosen_by").text();
    c.present = node.at("present").boolean();
    node.at("settings").for_each_member(
        [&](const std::string& name, const Node& value) { c.settings.push_back({name, value.text()}); });
    node.at("providers").for_each_member(
        [&](const std::string& name, const Node& version) { c.providers.push_back({name, version.text()}); });
    return c;
}

BuildInfo read_build(const Node& node) {
    return {node.at("defines").strings(), node.at("platform").text()};
}

std::vector<CertificateProbe> read_certificates(const Node& node) {
    std::vector<CertificateProbe> out;
    node.for_each_member([&](const std::string& id, const Node& p) {
        CertificateProbe probe{id, p.at("description").text(), {}};
        p.at("verdicts").for_each_member([&](const std::string& side, const Node& v) {
            probe.verdicts.push_back({side, v.at("accepted").boolean(), v.at("detail").text()});
        });
        out.push_back(std::move(probe));
    });
    return out;
}

std::vector<MemoryCase> read_memory(const Node& node) {
    std::vector<MemoryCase> out;
    node.at("cases").for_each_item([&](const Node& c) {
        out.push_back({c.at("id").text(), c.at("client").small_int(), c.at("server").small_int(),
                       c.at("client_released").small_int(), c.at("server_released").small_int()});
    });
    return out;
}

std::vector<BenchCase> read_bench(const Node& node, const char* unit = "handshakes_per_second") {
    std::vector<BenchCase> out;
    node.at("cases").for_each_item([&](const Node& c) {
        out.push_back({c.at("id").text(), c.at(unit).number(), c.at("cv").number(), c.at("repetitions").small_int()});
    });
    return out;
}

void check_defaults(const Node& node) {
    for (const char* part : {"client", "server", "library_default"}) {
        const Node p = node.at(part);
        if (!p.json().is_object()) p.expected("an object");
    }
}

// "line 3, column 7" for a byte offset into the text.
std::string line_and_column(std::string_view text, std::size_t byte) {
    byte = std::min(byte, text.size());
    const std::string_view before = text.substr(0, byte);
    const std::size_t line = 1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
    const std::size_t last_newline = before.rfind('\n');
    const std::size_t column = last_newline == std::string_view::npos ? byte + 1 : byte - last_newline;
    return fmt::format("line {}, column {}", line, column);
}

}  // namespace

nlohmann::ordered_json to_json(const Snapshot& s) {
    Json doc;
    doc["schema"] = kSnapshotSchema;
    // A snapshot read from a version 1 document still lacks what version 2
    // added, so it stays version 1 (with the registry's names).
    doc["schema_version"] = s.schema_version;
    doc["tool"] = {{"name", "sslfeatures"}, {"version", s.tool_version}};
    doc["created"] = s.created;
    doc["library"] = library_json(s.library);
    doc["constants"] = constants_json(s.constants);
    doc["features"] = features_json(s.features);
    doc["defaults"] = s.defaults;
    doc["ciphers"] = ciphers_json(s.ciphers, s.protocol_ciphers);
    doc["protocol_ciphers"] = protocol_ciphers_json(s.protocol_ciphers);
    doc["groups"] = s.groups;
    doc["signature_algorithms"] = s.signature_algorithms;
    doc["protocols"] = protocols_json(s.protocols);
    if (s.configuration) doc["configuration"] = reflect::configuration_json(*s.configuration);
    if (s.build) doc["build"] = build_json(*s.build);
    if (s.certificates) doc["certificates"] = certificates_json(*s.certificates);
    if (s.bench) doc["bench"] = bench_json(*s.bench);
    if (s.memory) doc["memory"] = memory_json(*s.memory);
    if (s.throughput) doc["throughput"] = bench_json(*s.throughput, "mb_per_second");
    return doc;
}

Snapshot from_json(const nlohmann::ordered_json& doc, std::string_view source) {
    const Node root(doc, "", source);
    Snapshot s;
    s.schema_version = check_schema(root);
    const bool version_1 = s.schema_version == 1;
    s.tool_version = root.at("tool").at("version").text();
    s.created = root.at("created").text();
    root.at("library").for_each_member(
        [&](const std::string& name, const Node& text) { s.library.push_back({name, text.text()}); });
    s.constants = read_constants(root.at("constants"));
    s.features = read_features(root.at("features"));
    check_defaults(root.at("defaults"));
    s.defaults = version_1 ? upgraded_defaults(root.at("defaults").json()) : root.at("defaults").json();
    s.ciphers = read_ciphers(root.at("ciphers"));
    s.protocol_ciphers = read_protocol_ciphers(root.at("protocol_ciphers"));
    s.groups = root.at("groups").strings();
    s.signature_algorithms = version_1 ? upgraded_schemes(root.at("signature_algorithms"))
                                       : root.at("signature_algorithms").strings();
    s.protocols = read_protocols(root.at("protocols"));
    if (root.has("bench")) s.bench = read_bench(root.at("bench"));
    if (root.has("memory")) s.memory = read_memory(root.at("memory"));
    if (root.has("throughput")) s.throughput = read_bench(root.at("throughput"), "mb_per_second");
    if (root.has("configuration")) s.configuration = read_configuration(root.at("configuration"));
    if (root.has("build")) s.build = read_build(root.at("build"));
    if (root.has("certificates")) s.certificates = read_certificates(root.at("certificates"));
    return s;
}

// JSON lets a key appear twice in an object and nlohmann keeps the last one:
// a snapshot edited by hand (or two merged badly) would be read as half of
// each. The parser's callback sees every key with its depth; one set of keys
// per open object finds the second one.
class DuplicateKeyCheck {
  public:
    explicit DuplicateKeyCheck(std::string_view source) : source_(source) {}

    bool operator()(int depth, nlohmann::json::parse_event_t event, Json& parsed) {
        using Event = nlohmann::json::parse_event_t;
        const auto level = static_cast<std::size_t>(depth);
        if (event == Event::object_start) {
            keys_.resize(level + 2);
            keys_[level + 1].clear();
        } else if (event == Event::key && !keys_[level].insert(parsed.get<std::string>()).second) {
            throw SnapshotError(fmt::format("{}: the key \"{}\" appears twice in one object; a snapshot "
                                            "holds each key once (remake it with `sslfeatures snapshot`)",
                                            source_, parsed.get<std::string>()));
        }
        return true;
    }

  private:
    std::string_view source_;
    std::vector<std::set<std::string>> keys_;
};

Json parse_document(std::string_view text, std::string_view source) {
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        throw SnapshotError(fmt::format("{}: the file is empty; expected a snapshot made by `sslfeatures snapshot`",
                                        source));
    }
    Json doc;
    try {
        doc = Json::parse(text, DuplicateKeyCheck(source));
    } catch (const nlohmann::json::parse_error& e) {
        const bool at_end = e.byte >= text.size();
        throw SnapshotError(fmt::format("{}: {}: {}", source, line_and_column(text, e.byte > 0 ? e.byte - 1 : 0),
                                        at_end ? "the JSON ends early; the file is truncated"
                                               : "not valid JSON"));
    } catch (const nlohmann::json::out_of_range& e) {
        // A number no double holds (1e999): nlohmann throws out_of_range, not
        // parse_error, and gives no position, but names the number.
        const std::string_view what = e.what();
        const std::size_t bracket = what.find("] ");
        throw SnapshotError(fmt::format("{}: a number is out of range ({})", source,
                                        bracket == std::string_view::npos ? what : what.substr(bracket + 2)));
    }
    return doc;
}

Snapshot parse_snapshot(std::string_view text, std::string_view source) {
    return from_json(parse_document(text, source), source);
}

std::string snapshot_text(const Snapshot& snapshot) {
    return to_json(snapshot).dump(2) + "\n";
}

}  // namespace sslfeatures::audit
