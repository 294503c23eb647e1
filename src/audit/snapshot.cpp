#include "audit/snapshot.hpp"

#include <algorithm>
#include <ctime>
#include <string_view>

#include <fmt/format.h>

#include "audit/certificate_probe.hpp"
#include "audit/ciphers.hpp"
#include "audit/protocol_probe.hpp"
#include "reflect/availability.hpp"
#include "reflect/groups.hpp"
#include "reflect/library_info.hpp"
#include "tls/defaults.hpp"
#include "sslfeatures_config.hpp"
#include "tls/signature_schemes.hpp"

namespace sslfeatures::audit {
namespace {

std::string utc_now() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::vector<LibraryFact> library_facts() {
    std::vector<LibraryFact> facts;
    for (const reflect::Row& row : reflect::library_info()) facts.push_back({row.name, row.text});
    return facts;
}

// Every constants category of tables/categories.toml; probes and the library
// section are kept in their own parts.
std::vector<ConstantCategory> constant_categories() {
    const reflect::Catalogue catalogue = reflect::build_catalogue(reflect::all_category_ids());
    std::vector<ConstantCategory> out;
    for (const reflect::Section& section : catalogue.sections) {
        if (section.kind != reflect::CategoryKind::constants) continue;
        ConstantCategory category{section.id, section.title, {}};
        for (const reflect::Row& row : section.rows) category.constants.push_back({row.name, row.value});
        out.push_back(std::move(category));
    }
    return out;
}

std::vector<Feature> features() {
    std::vector<Feature> out;
    for (const reflect::Row& row : reflect::feature_availability()) {
        out.push_back({row.name, row.value.magnitude != 0, row.source});
    }
    return out;
}

nlohmann::ordered_json defaults() {
    const tls::BitNamer namer;
    const nlohmann::ordered_json doc = tls::defaults_json(tls::live_defaults_parts(), namer);
    nlohmann::ordered_json parts = nlohmann::ordered_json::object();
    for (const char* id : {"client", "server", "library_default"}) parts[id] = doc.at(id);
    return parts;
}

// What the library's own context offers in its ClientHello, in its order.
std::vector<std::string> signature_algorithms(const nlohmann::ordered_json& defaults) {
    std::vector<std::string> names;
    const auto& schemes = defaults.at("library_default").at("signature_algorithms");
    if (!schemes.is_array()) return names;
    for (const auto& scheme : schemes) {
        const auto code = scheme.at("code").get<std::uint16_t>();
        names.push_back(fmt::format("{}", tls::SignatureScheme::from_code(code)));
    }
    return names;
}

std::string library_fact(const std::vector<LibraryFact>& facts, std::string_view name) {
    for (const auto& f : facts) {
        if (f.name == name) return f.text;
    }
    return {};
}

BuildInfo build_info(const std::vector<LibraryFact>& facts) {
    return {compiler_defines(library_fact(facts, "build_flags")), library_fact(facts, "platform")};
}

}  // namespace

std::vector<std::string> compiler_defines(std::string_view flags) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at < flags.size()) {
        const std::size_t start = flags.find_first_not_of(' ', at);
        if (start == std::string_view::npos) break;
        const std::size_t end = std::min(flags.find(' ', start), flags.size());
        const std::string_view word = flags.substr(start, end - start);
        // A define that names a path would make the build differ by machine.
        if (word.size() > 2 && word.substr(0, 2) == "-D" && word.find('/') == std::string_view::npos &&
            std::find(out.begin(), out.end(), word.substr(2)) == out.end()) {
            out.emplace_back(word.substr(2));
        }
        at = end;
    }
    return out;
}

bool is_machine_fact(std::string_view name) {
    static constexpr std::string_view kMachineFacts[] = {
        "platform",   "built_on",    "build_flags",       "openssldir",       "enginesdir",
        "modulesdir", "config_file", "default_cert_file", "default_cert_dir",
    };
    return std::find(std::begin(kMachineFacts), std::end(kMachineFacts), name) != std::end(kMachineFacts);
}

void drop_machine_facts(Snapshot& snapshot) {
    std::erase_if(snapshot.library, [](const LibraryFact& f) { return is_machine_fact(f.name); });
    if (snapshot.configuration) {
        snapshot.configuration->file.clear();
        snapshot.configuration->chosen_by.clear();
    }
}

Snapshot take_snapshot() {
    Snapshot s;
    s.tool_version = SSLFEATURES_VERSION;
    s.created = utc_now();
    s.library = library_facts();
    s.constants = constant_categories();
    s.features = features();
    s.defaults = defaults();
    s.ciphers = known_ciphers();
    s.protocol_ciphers = ciphers_per_protocol();
    s.groups = reflect::tls_group_names();
    s.signature_algorithms = signature_algorithms(s.defaults);
    s.protocols = probe_protocols();
    s.configuration = reflect::read_configuration();
    s.build = build_info(s.library);
    s.certificates = probe_certificates();
    return s;
}

}  // namespace sslfeatures::audit
