#include "audit/diff.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "audit/findings.hpp"
#include "reflect/catalogue.hpp"

namespace sslfeatures::audit {
namespace {

using Json = nlohmann::ordered_json;

// The parts of a snapshot that are not constants categories, in output order
// around them: "library" comes first, the rest after the constants.
constexpr std::string_view kPartsAfterConstants[] = {
    "build", "features", "configuration", "providers", "defaults", "ciphers", "protocol_ciphers", "groups",
    "signature_algorithms", "protocols", "certificates", "bench", "throughput", "memory",
};

class Ignore {
  public:
    explicit Ignore(const std::set<std::string>& ids) : ids_(ids) {}
    bool section(std::string_view id) const { return ids_.count(std::string(id)) != 0; }
    bool constants(std::string_view category) const { return section("constants") || section(category); }
    bool fact(std::string_view name) const { return section("machine") && is_machine_fact(name); }
    bool bench() const { return section("bench") || section("machine"); }

  private:
    const std::set<std::string>& ids_;
};

// ---- entries matched by name: every section's walk ---------------------------

// What a section does with each entry when two lists are matched by name.
template <typename T>
struct MatchActions {
    std::function<std::string(const T&)> name;
    std::function<void(const T& now)> added;                  // only in the new list
    std::function<void(const T& was, const T& now)> in_both;  // a change if they differ
    std::function<void(const T& was)> removed;                // only in the old list
};

// The new list in its order (a reader follows the release they move to), each
// entry added or held against its old namesake, then the old list's entries
// the new one lacks, in their order. Of entries named alike on one side, the
// first is the namesake.
template <typename T>
void match_by_name(const std::vector<T>& old_list, const std::vector<T>& new_list, const MatchActions<T>& on) {
    std::map<std::string, const T*> old_by_name;
    for (const T& was : old_list) old_by_name.emplace(on.name(was), &was);
    std::set<std::string> new_names;
    for (const T& now : new_list) new_names.insert(on.name(now));
    for (const T& now : new_list) {
        const auto it = old_by_name.find(on.name(now));
        if (it == old_by_name.end()) on.added(now);
        else on.in_both(*it->second, now);
    }
    for (const T& was : old_list) {
        if (!new_names.count(on.name(was))) on.removed(was);
    }
}

Change make_added(std::string name, std::string now, std::string note = {}) {
    return {ChangeKind::added, std::move(name), {}, std::move(now), {}, {}, std::move(note), {}};
}

Change make_removed(std::string name, std::string was, std::string note = {}) {
    return {ChangeKind::removed, std::move(name), std::move(was), {}, {}, {}, std::move(note), {}};
}

Change make_changed(std::string name, std::string was, std::string now, std::string note = {}) {
    return {ChangeKind::changed, std::move(name), std::move(was), std::move(now), {}, {}, std::move(note), {}};
}

// ---- configuration ----------------------------------------------------------

using Setting = reflect::ConfigSetting;

// Each setting the file makes, by its path ("ssl_conf.system_default.MinProtocol").
// Nothing when either side did not record its configuration.
DiffSection compare_configuration(const Snapshot& a, const Snapshot& b) {
    DiffSection section{"configuration", "configuration (openssl.cnf settings)", {}};
    if (!a.configuration || !b.configuration) return section;
    auto& out = section.changes;
    if (a.configuration->present != b.configuration->present) {
        auto present = [](bool p) { return std::string(p ? "a file" : "no file: built-in defaults"); };
        out.push_back(make_changed("file", present(a.configuration->present), present(b.configuration->present)));
    }
    match_by_name<Setting>(a.configuration->settings, b.configuration->settings, {
        .name = [](const Setting& s) { return s.name; },
        .added = [&](const Setting& s) { out.push_back(make_added(s.name, s.value)); },
        .in_both = [&](const Setting& was, const Setting& now) {
            if (was.value != now.value) out.push_back(make_changed(now.name, was.value, now.value));
        },
        .removed = [&](const Setting& s) { out.push_back(make_removed(s.name, s.value)); },
    });
    return section;
}

DiffSection compare_providers(const Snapshot& a, const Snapshot& b) {
    using reflect::Provider;
    DiffSection section{"providers", "providers (loaded)", {}};
    if (!a.configuration || !b.configuration) return section;
    auto& out = section.changes;
    auto text = [](const Provider& p) { return p.version.empty() ? p.name : p.name + " " + p.version; };
    match_by_name<Provider>(a.configuration->providers, b.configuration->providers, {
        .name = [](const Provider& p) { return p.name; },
        .added = [&](const Provider& p) { out.push_back(make_added(p.name, text(p))); },
        .in_both = [&](const Provider& was, const Provider& now) {
            if (was.version != now.version) out.push_back(make_changed(now.name, was.version, now.version));
        },
        .removed = [&](const Provider& p) { out.push_back(make_removed(p.name, text(p))); },
    });
    return section;
}

// ---- lists of names ----------------------------------------------------------

// Added and removed names, in each side's order; a same-set reordering is
// one change, since order is preference for ciphers, groups and signatures.
void compare_lists(const std::vector<std::string>& a, const std::vector<std::string>& b,
                   std::vector<Change>& out, std::string_view what = {}, bool ordered = true) {
    // Inside a bigger part ("client.groups") the change is named by the list.
    auto label = [&](const std::string& item) { return what.empty() ? item : std::string(what); };
    match_by_name<std::string>(a, b, {
        .name = [](const std::string& item) { return item; },
        .added = [&](const std::string& item) { out.push_back(make_added(label(item), item)); },
        .in_both = [](const std::string&, const std::string&) {},  // a name is all there is to it
        .removed = [&](const std::string& item) { out.push_back(make_removed(label(item), item)); },
    });
    const std::set<std::string> in_a(a.begin(), a.end());
    const std::set<std::string> in_b(b.begin(), b.end());
    std::vector<std::string> common_a, common_b;
    std::copy_if(a.begin(), a.end(), std::back_inserter(common_a), [&](const auto& n) { return in_b.count(n) != 0; });
    std::copy_if(b.begin(), b.end(), std::back_inserter(common_b), [&](const auto& n) { return in_a.count(n) != 0; });
    if (ordered && common_a != common_b) {
        out.push_back(make_changed(what.empty() ? "order" : std::string(what), fmt::format("{}", fmt::join(common_a, " ")),
                                   fmt::format("{}", fmt::join(common_b, " ")), "preference order changed"));
    }
}

// ---- the same change on several sides ---------------------------------------

// "client.options.names" -> {"client", "options.names"}.
std::pair<std::string, std::string> split_side(const std::string& name) {
    const std::size_t dot = name.find('.');
    if (dot == std::string::npos) return {{}, name};
    return {name.substr(0, dot), name.substr(dot + 1)};
}

// Changes named "side.field" become one change per field and value with the
// sides it holds for, in the order each first appeared: a fact seen on the
// client, the server and the library default is said once.
void merge_sides(std::vector<Change>& changes) {
    std::vector<Change> merged;
    auto same = [](const Change& x, const Change& y) {
        return x.kind == y.kind && x.name == y.name && x.old_text == y.old_text && x.new_text == y.new_text &&
               x.note == y.note;
    };
    for (Change& c : changes) {
        auto [side, field] = split_side(c.name);
        c.name = std::move(field);
        const auto it = std::find_if(merged.begin(), merged.end(), [&](const Change& m) { return same(m, c); });
        if (it != merged.end()) {
            it->sides.push_back(std::move(side));
            continue;
        }
        c.sides = {std::move(side)};
        merged.push_back(std::move(c));
    }
    changes = std::move(merged);
}

// ---- constants ---------------------------------------------------------------

bool single_bit(reflect::Value v) {
    return !v.negative && v.magnitude != 0 && (v.magnitude & (v.magnitude - 1)) == 0;
}

// "set SSL_OP_A; cleared SSL_OP_B, 0x100000": the flags of the category (in
// either snapshot) whose bits differ between the two values of a mask.
std::string flipped_bits(const ConstantCategory* a, const ConstantCategory& b, reflect::Value old_value,
                         reflect::Value new_value) {
    if (old_value.negative || new_value.negative) return {};
    std::map<std::uint64_t, std::vector<std::string>> names;  // bit -> flag names
    for (const ConstantCategory* c : {a, &b}) {
        if (c == nullptr) continue;
        for (const auto& k : c->constants) {
            auto& list = names[k.value.magnitude];
            if (single_bit(k.value) && std::find(list.begin(), list.end(), k.name) == list.end()) {
                list.push_back(k.name);
            }
        }
    }
    std::vector<std::string> set, cleared;
    const std::uint64_t flipped = old_value.magnitude ^ new_value.magnitude;
    for (int bit = 0; bit < 64; ++bit) {
        const std::uint64_t mask = std::uint64_t{1} << bit;
        if ((flipped & mask) == 0) continue;
        const auto it = names.find(mask);
        const std::string label = it != names.end() && !it->second.empty()
                                      ? fmt::format("{}", fmt::join(it->second, "/"))
                                      : fmt::format("{:#x}", mask);
        ((new_value.magnitude & mask) != 0 ? set : cleared).push_back(label);
    }
    std::vector<std::string> parts;
    if (!set.empty()) parts.push_back(fmt::format("set {}", fmt::join(set, ", ")));
    if (!cleared.empty()) parts.push_back(fmt::format("cleared {}", fmt::join(cleared, ", ")));
    return fmt::format("{}", fmt::join(parts, "; "));
}

std::string value_text(reflect::Value v) { return fmt::format("{}{}", v.negative ? "-" : "", v.magnitude); }

const ConstantCategory* find_category(const Snapshot& s, std::string_view id) {
    for (const auto& c : s.constants) {
        if (c.id == id) return &c;
    }
    return nullptr;
}

DiffSection compare_category(const ConstantCategory* a, const ConstantCategory* b) {
    const ConstantCategory& any = b != nullptr ? *b : *a;
    DiffSection section{any.id, fmt::format("constants: {}", any.title), {}};
    static const std::vector<NamedValue> kNone;
    auto& changes = section.changes;
    // In the new table's order (by value), then what only the old one had.
    match_by_name<NamedValue>(a != nullptr ? a->constants : kNone, b != nullptr ? b->constants : kNone, {
        .name = [](const NamedValue& k) { return k.name; },
        .added = [&](const NamedValue& now) {
            changes.push_back({ChangeKind::added, now.name, {}, value_text(now.value), {}, now.value, {}, {}});
        },
        .in_both = [&](const NamedValue& was, const NamedValue& now) {
            if (was.value == now.value) return;
            const std::string note = reflect::is_bits_category(any.id) ? flipped_bits(a, *b, was.value, now.value)
                                                                       : std::string{};
            changes.push_back({ChangeKind::changed, now.name, value_text(was.value), value_text(now.value), was.value,
                               now.value, note, {}});
        },
        .removed = [&](const NamedValue& was) {
            changes.push_back({ChangeKind::removed, was.name, value_text(was.value), {}, was.value, {}, {}, {}});
        },
    });
    return section;
}

// ---- library, features ---------------------------------------------------------

DiffSection compare_library(const Snapshot& a, const Snapshot& b, const Ignore& ignore) {
    DiffSection section{"library", "library", {}};
    std::set<std::string> old_names, new_names;
    for (const auto& f : a.library) old_names.insert(f.name);
    for (const auto& f : b.library) new_names.insert(f.name);
    // A portable snapshot (the reference tables) leaves machine facts out:
    // one recorded on one side only is unknown on the other, not changed.
    auto left_out = [&](const std::string& name) {
        const bool unrecorded = is_machine_fact(name) && (!old_names.count(name) || !new_names.count(name));
        return unrecorded || ignore.fact(name);
    };
    auto& changes = section.changes;
    match_by_name<LibraryFact>(a.library, b.library, {
        .name = [](const LibraryFact& f) { return f.name; },
        .added = [&](const LibraryFact& now) {
            if (!left_out(now.name)) changes.push_back(make_added(now.name, now.text));
        },
        .in_both = [&](const LibraryFact& was, const LibraryFact& now) {
            if (!left_out(now.name) && was.text != now.text) changes.push_back(make_changed(now.name, was.text, now.text));
        },
        .removed = [&](const LibraryFact& was) {
            if (!left_out(was.name)) changes.push_back(make_removed(was.name, was.text));
        },
    });
    return section;
}

std::string availability(bool available) { return available ? "available" : "not available"; }

DiffSection compare_features(const Snapshot& a, const Snapshot& b) {
    DiffSection section{"features", "feature availability", {}};
    auto& changes = section.changes;
    match_by_name<Feature>(a.features, b.features, {
        .name = [](const Feature& f) { return f.name; },
        .added = [&](const Feature& now) {
            changes.push_back(make_added(now.name, availability(now.available), "new flag"));
        },
        .in_both = [&](const Feature& was, const Feature& now) {
            if (was.available == now.available) return;
            changes.push_back(make_changed(now.name, availability(was.available), availability(now.available),
                                           now.available ? "gained" : "lost"));
        },
        .removed = [&](const Feature& was) {
            changes.push_back(make_removed(was.name, availability(was.available), "flag gone"));
        },
    });
    return section;
}

// ---- defaults: the JSON of `sslfeatures defaults`, leaf by leaf ---------------------

// One leaf of a defaults part, by its path ("client.verify_mode"): a value's
// text, or a list's names.
struct Leaf {
    std::string path;
    std::string text;
    std::optional<std::vector<std::string>> names;
};

std::string scalar_text(const Json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); }

// A list item by its name. Signature schemes, {name, code, hex}, read as
// they do everywhere else: "ecdsa_secp256r1_sha256 (0x0403)".
std::string item_label(const Json& item) {
    if (!item.is_object() || !item.contains("name")) return scalar_text(item);
    const std::string name = scalar_text(item["name"]);
    const std::string hex = item.contains("hex") ? scalar_text(item["hex"]) : std::string();
    return hex.empty() || hex == name ? name : fmt::format("{} ({})", name, hex);
}

// The leaves in document order.
void flatten(const Json& j, const std::string& path, std::vector<Leaf>& out) {
    if (j.is_object()) {
        // A mask named bit by bit ({value, hex, names, unnamed}) is said by
        // its names: the number changes exactly when they do.
        const bool named_bits = j.contains("names");
        for (const auto& [key, value] : j.items()) {
            if (key == "hex") continue;  // the same number as "value"
            if (named_bits && key == "value") continue;
            flatten(value, path.empty() ? key : path + "." + key, out);
        }
    } else if (j.is_array()) {
        std::vector<std::string> names;
        for (const auto& item : j) names.push_back(item_label(item));
        out.push_back({path, {}, std::move(names)});
    } else {
        out.push_back({path, scalar_text(j), std::nullopt});
    }
}

// The defaults' fields that snapshot version 2 added: a version 1 snapshot
// did not record them, so on its side they are unknown, not absent.
bool unrecorded(const std::string& path, const Snapshot& a, const Snapshot& b) {
    struct Added {
        int version;
        std::string_view field;
    };
    static constexpr Added kAdded[] = {
        {2, "host_name_check"}, {2, "subject_cn_fallback"}, {3, "client_hello"}};
    const int oldest = std::min(a.schema_version, b.schema_version);
    // "client.host_name_check.on": the field follows the part's name.
    const std::size_t dot = path.find('.');
    if (dot == std::string::npos) return false;
    const std::string_view field = std::string_view(path).substr(dot + 1);
    for (const Added& added : kAdded) {
        if (oldest < added.version && field.substr(0, field.find('.')) == added.field) return true;
    }
    return false;
}

DiffSection compare_defaults(const Snapshot& a, const Snapshot& b) {
    DiffSection section{"defaults", "defaults (sslfeatures defaults)", {}};
    std::vector<Leaf> old_leaves, new_leaves;
    flatten(a.defaults, "", old_leaves);
    flatten(b.defaults, "", new_leaves);
    // Fields only one side could have recorded are left out, not reported.
    const auto one_sided = [&](const Leaf& leaf) { return unrecorded(leaf.path, a, b); };
    std::erase_if(old_leaves, one_sided);
    std::erase_if(new_leaves, one_sided);
    static const std::vector<std::string> kNoNames;
    auto& changes = section.changes;
    match_by_name<Leaf>(old_leaves, new_leaves, {
        .name = [](const Leaf& leaf) { return leaf.path; },
        .added = [&](const Leaf& now) {
            if (now.names) compare_lists(kNoNames, *now.names, changes, now.path);
            else changes.push_back(make_added(now.path, now.text));
        },
        // A list compares with the old list, if there was one; a value that
        // was a list is new.
        .in_both = [&](const Leaf& was, const Leaf& now) {
            if (now.names) compare_lists(was.names ? *was.names : kNoNames, *now.names, changes, now.path);
            else if (was.names) changes.push_back(make_added(now.path, now.text));
            else if (was.text != now.text) changes.push_back(make_changed(now.path, was.text, now.text));
        },
        .removed = [&](const Leaf& was) {
            const std::string text = was.names ? fmt::format("{}", fmt::join(*was.names, " ")) : was.text;
            changes.push_back(make_removed(was.path, text));
        },
    });
    merge_sides(changes);
    return section;
}

// ---- ciphers, groups, signature algorithms, protocols --------------------------------

std::string cipher_text(const Cipher& c) {
    return fmt::format("{} {} {} Kx={} Au={} Enc={} Mac={} bits={}{}", fmt::format("0x{:04x}", c.id), c.iana_name,
                       c.protocol, c.kx, c.auth, c.enc, c.mac, c.bits, c.aead ? " AEAD" : "");
}

// Only the properties that differ, so a change reads "bits=128 -> bits=64".
std::pair<std::string, std::string> cipher_change(const Cipher& a, const Cipher& b) {
    const std::pair<std::string_view, std::pair<std::string, std::string>> fields[] = {
        {"id", {fmt::format("0x{:04x}", a.id), fmt::format("0x{:04x}", b.id)}},
        {"iana", {a.iana_name, b.iana_name}},
        {"protocol", {a.protocol, b.protocol}},
        {"Kx", {a.kx, b.kx}},
        {"Au", {a.auth, b.auth}},
        {"Enc", {a.enc, b.enc}},
        {"Mac", {a.mac, b.mac}},
        {"bits", {std::to_string(a.bits), std::to_string(b.bits)}},
        {"aead", {a.aead ? "yes" : "no", b.aead ? "yes" : "no"}},
    };
    std::vector<std::string> was, now;
    for (const auto& [field, values] : fields) {
        if (values.first == values.second) continue;
        was.push_back(fmt::format("{}={}", field, values.first));
        now.push_back(fmt::format("{}={}", field, values.second));
    }
    return {fmt::format("{}", fmt::join(was, " ")), fmt::format("{}", fmt::join(now, " "))};
}

std::string usable_text(bool usable) { return usable ? "usable" : "known by name only"; }

// A cipher the library names but cannot enable is no new cipher for anyone:
// the note says so, and the findings leave it out.
std::string usability_note(const Cipher& c) {
    if (!c.usable || *c.usable) return {};
    return "known by name only: no context can enable it in this build";
}

DiffSection compare_ciphers(const Snapshot& a, const Snapshot& b) {
    DiffSection section{"ciphers", "ciphers the library knows", {}};
    auto& changes = section.changes;
    match_by_name<Cipher>(a.ciphers, b.ciphers, {
        .name = [](const Cipher& c) { return c.name; },
        .added = [&](const Cipher& now) {
            changes.push_back(make_added(now.name, cipher_text(now), usability_note(now)));
        },
        .in_both = [&](const Cipher& was, const Cipher& now) {
            if (auto [old_text, new_text] = cipher_change(was, now); !old_text.empty()) {
                changes.push_back(make_changed(now.name, old_text, new_text));
            }
            if (was.usable && now.usable && *was.usable != *now.usable) {
                changes.push_back(make_changed(now.name, usable_text(*was.usable), usable_text(*now.usable),
                                               *now.usable ? "became usable" : "no longer usable"));
            }
        },
        .removed = [&](const Cipher& was) {
            changes.push_back(make_removed(was.name, cipher_text(was), usability_note(was)));
        },
    });
    return section;
}

DiffSection compare_protocol_ciphers(const Snapshot& a, const Snapshot& b) {
    DiffSection section{"protocol_ciphers", "ciphers enabled by default, per protocol", {}};
    static const std::vector<std::string> kNone;
    auto& changes = section.changes;
    match_by_name<ProtocolCiphers>(a.protocol_ciphers, b.protocol_ciphers, {
        .name = [](const ProtocolCiphers& p) { return p.protocol; },
        .added = [&](const ProtocolCiphers& now) { compare_lists(kNone, now.ciphers, changes, now.protocol); },
        .in_both = [&](const ProtocolCiphers& was, const ProtocolCiphers& now) {
            compare_lists(was.ciphers, now.ciphers, changes, now.protocol);
        },
        .removed = [&](const ProtocolCiphers& was) { compare_lists(was.ciphers, kNone, changes, was.protocol); },
    });
    return section;
}

DiffSection compare_names(std::string id, std::string title, const std::vector<std::string>& a,
                          const std::vector<std::string>& b, bool ordered) {
    DiffSection section{std::move(id), std::move(title), {}};
    compare_lists(a, b, section.changes, {}, ordered);
    return section;
}

std::string outcome(const ProtocolResult& p) {
    std::vector<std::string> parts;
    for (const auto& attempt : p.attempts) {
        parts.push_back(fmt::format("{}: {}", attempt.key, attempt.ok ? "ok " + attempt.detail : attempt.detail));
    }
    return fmt::format("{}", fmt::join(parts, "; "));
}

// The attempts are a JSON object in the file: a tool that rewrites it with
// sorted keys must not make a protocol look changed.
bool same_outcome(const ProtocolResult& a, const ProtocolResult& b) {
    auto by_key = [](const ProtocolResult& p) {
        std::map<std::string, std::pair<bool, std::string>> m;
        for (const auto& attempt : p.attempts) m[attempt.key] = {attempt.ok, attempt.detail};
        return m;
    };
    return by_key(a) == by_key(b);
}

DiffSection compare_protocols(const Snapshot& a, const Snapshot& b) {
    DiffSection section{"protocols", "protocols that complete a handshake with the defaults", {}};
    auto& changes = section.changes;
    match_by_name<ProtocolResult>(a.protocols, b.protocols, {
        .name = [](const ProtocolResult& p) { return p.protocol; },
        .added = [&](const ProtocolResult& now) { changes.push_back(make_added(now.protocol, outcome(now))); },
        .in_both = [&](const ProtocolResult& was, const ProtocolResult& now) {
            if (same_outcome(was, now)) return;
            std::string note;
            if (was.works() && !now.works()) note = "stopped working";
            else if (!was.works() && now.works()) note = "started working";
            changes.push_back(make_changed(now.protocol, outcome(was), outcome(now), note));
        },
        .removed = [&](const ProtocolResult& was) { changes.push_back(make_removed(was.protocol, outcome(was))); },
    });
    return section;
}

// ---- build, certificates ---------------------------------------------------------

// The compiler's macros, one change per macro name ("OPENSSL_TLS_SECURITY_LEVEL:
// 2 -> 3"), and the platform. Nothing when either side did not record them.
DiffSection compare_build(const Snapshot& a, const Snapshot& b) {
    DiffSection section{"build", "build (compiler macros, platform)", {}};
    if (!a.build || !b.build) return section;
    auto& out = section.changes;
    auto macro = [](const std::string& d) { return d.substr(0, d.find('=')); };
    auto value = [](const std::string& d) {
        const std::size_t eq = d.find('=');
        return eq == std::string::npos ? std::string("defined") : d.substr(eq + 1);
    };
    match_by_name<std::string>(a.build->defines, b.build->defines, {
        .name = macro,
        .added = [&](const std::string& d) { out.push_back(make_added(macro(d), value(d))); },
        .in_both = [&](const std::string& was, const std::string& now) {
            if (was != now) out.push_back(make_changed(macro(now), value(was), value(now)));
        },
        .removed = [&](const std::string& d) { out.push_back(make_removed(macro(d), value(d))); },
    });
    if (a.build->platform != b.build->platform) {
        out.push_back(make_changed("platform", a.build->platform, b.build->platform));
    }
    return section;
}

std::string verdict_text(const CertificateProbe::Verdict& v) {
    return v.accepted ? "accepted" : "refused: " + v.detail;
}

// One change per certificate and side, named "side.certificate" as the
// defaults' fields are, so the findings see which sides agree.
DiffSection compare_certificates(const Snapshot& a, const Snapshot& b) {
    DiffSection section{"certificates", "certificates clients accept (real handshakes)", {}};
    if (!a.certificates || !b.certificates) return section;
    auto& out = section.changes;
    using Verdict = CertificateProbe::Verdict;
    match_by_name<CertificateProbe>(*a.certificates, *b.certificates, {
        .name = [](const CertificateProbe& p) { return p.id; },
        .added = [](const CertificateProbe&) {},  // a new probe, not a new behaviour
        .in_both = [&](const CertificateProbe& was, const CertificateProbe& now) {
            match_by_name<Verdict>(was.verdicts, now.verdicts, {
                .name = [](const Verdict& v) { return v.side; },
                .added = [](const Verdict&) {},
                .in_both = [&](const Verdict& w, const Verdict& n) {
                    if (w.accepted == n.accepted) return;
                    out.push_back(make_changed(n.side + "." + now.id, verdict_text(w), verdict_text(n),
                                               n.accepted ? "now accepted" : "now refused"));
                },
                .removed = [](const Verdict&) {},
            });
        },
        .removed = [](const CertificateProbe&) {},
    });
    merge_sides(out);
    return section;
}

// ---- handshake speed ---------------------------------------------------------------

std::string rate_text(const BenchCase& c, std::string_view unit) {
    return fmt::format("{:.0f}{} ±{:.1f}%", c.handshakes_per_second, unit, 100 * c.cv);
}

// A change counts when it is larger than twice the combined spread of the two
// measurements (about 95% confidence for normally distributed rates).
void compare_rates(const std::vector<BenchCase>& old_cases, const std::vector<BenchCase>& new_cases,
                   std::string_view unit, std::vector<Change>& changes) {
    match_by_name<BenchCase>(old_cases, new_cases, {
        .name = [](const BenchCase& c) { return c.id; },
        .added = [&](const BenchCase& now) { changes.push_back(make_added(now.id, rate_text(now, unit))); },
        .in_both = [&](const BenchCase& was, const BenchCase& now) {
            if (was.handshakes_per_second <= 0) return;
            const double change = now.handshakes_per_second / was.handshakes_per_second - 1;
            const double noise = 2 * std::hypot(was.cv, now.cv);
            if (std::abs(change) <= noise) return;
            changes.push_back(make_changed(now.id, rate_text(was, unit), rate_text(now, unit),
                                           fmt::format("{:+.1f}% (noise ±{:.1f}%)", 100 * change, 100 * noise)));
        },
        .removed = [&](const BenchCase& was) { changes.push_back(make_removed(was.id, rate_text(was, unit))); },
    });
}

DiffSection compare_bench(const Snapshot& a, const Snapshot& b) {
    DiffSection section{"bench", "handshake speed (changes beyond the measured noise)", {}};
    if (a.bench && b.bench) compare_rates(*a.bench, *b.bench, "/s", section.changes);
    return section;
}

DiffSection compare_throughput(const Snapshot& a, const Snapshot& b) {
    DiffSection section{"throughput", "bulk throughput (changes beyond the measured noise)", {}};
    if (a.throughput && b.throughput) compare_rates(*a.throughput, *b.throughput, " MB/s", section.changes);
    return section;
}

bool has_signature_list(const Snapshot& s) {
    const auto part = s.defaults.find("library_default");
    return part != s.defaults.end() && part->is_object() && part->contains("signature_algorithms") &&
           (*part)["signature_algorithms"].is_array();
}

// ---- memory per connection --------------------------------------------------------

// Counted bytes are exact, but a connection's allocations vary by a few bytes
// from run to run (encodings of random values): a change counts when it moves
// by more than this share of the old figure, and by more than a block.
constexpr double kMemoryShare = 0.01;
constexpr std::int64_t kMemoryBytes = 64;

std::string memory_text(std::int64_t client, std::int64_t server) {
    return fmt::format("client {} B, server {} B", client, server);
}

bool moved(std::int64_t was, std::int64_t now) {
    const auto delta = std::abs(now - was);
    return delta > kMemoryBytes && static_cast<double>(delta) > kMemoryShare * static_cast<double>(was);
}

// "+1.7% client, +2.3% server": the change of each side, the larger first.
std::string memory_note(std::int64_t client_was, std::int64_t server_was, std::int64_t client_now,
                        std::int64_t server_now) {
    auto pct = [](std::int64_t a, std::int64_t b) { return a > 0 ? 100.0 * static_cast<double>(b - a) / a : 0.0; };
    const double client = pct(client_was, client_now), server = pct(server_was, server_now);
    return std::abs(client) >= std::abs(server) ? fmt::format("{:+.1f}% client, {:+.1f}% server", client, server)
                                                : fmt::format("{:+.1f}% server, {:+.1f}% client", server, client);
}

// One change per case whose bytes after the handshake, or with released
// buffers, moved on either side; the note gives the change per side.
DiffSection compare_memory(const Snapshot& a, const Snapshot& b) {
    DiffSection section{"memory", "memory per connection (bytes OpenSSL holds)", {}};
    if (!a.memory || !b.memory) return section;
    auto& changes = section.changes;
    match_by_name<MemoryCase>(*a.memory, *b.memory, {
        .name = [](const MemoryCase& c) { return c.id; },
        .added = [&](const MemoryCase& now) { changes.push_back(make_added(now.id, memory_text(now.client, now.server))); },
        .in_both = [&](const MemoryCase& was, const MemoryCase& now) {
            if (moved(was.client, now.client) || moved(was.server, now.server)) {
                changes.push_back(make_changed(now.id, memory_text(was.client, was.server),
                                               memory_text(now.client, now.server),
                                               memory_note(was.client, was.server, now.client, now.server)));
            }
            if (moved(was.client_released, now.client_released) || moved(was.server_released, now.server_released)) {
                changes.push_back(make_changed(now.id + " (released buffers)",
                                               memory_text(was.client_released, was.server_released),
                                               memory_text(now.client_released, now.server_released),
                                               memory_note(was.client_released, was.server_released,
                                                           now.client_released, now.server_released)));
            }
        },
        .removed = [&](const MemoryCase& was) { changes.push_back(make_removed(was.id, memory_text(was.client, was.server))); },
    });
    return section;
}

// Every constants category of either side, in the new side's order, then the
// old side's leftovers.
std::vector<std::string> category_ids(const Snapshot& a, const Snapshot& b) {
    std::vector<std::string> ids;
    for (const auto* s : {&b, &a}) {
        for (const auto& c : s->constants) {
            if (std::find(ids.begin(), ids.end(), c.id) == ids.end()) ids.push_back(c.id);
        }
    }
    return ids;
}

}  // namespace

std::string_view change_kind_name(ChangeKind kind) {
    switch (kind) {
        case ChangeKind::added: return "added";
        case ChangeKind::removed: return "removed";
        case ChangeKind::changed: return "changed";
    }
    return "changed";
}

std::string_view diff_of_name(DiffOf of) { return of == DiffOf::scans ? "scans" : "snapshots"; }

std::size_t Diff::change_count() const {
    std::size_t n = 0;
    for (const auto& s : sections) n += s.changes.size();
    return n;
}

std::vector<std::string> ignorable_ids() {
    std::vector<std::string> ids = {"machine", "library", "constants"};
    for (const auto& rule : reflect::category_rules()) {
        if (rule.kind == reflect::CategoryKind::constants) ids.emplace_back(rule.id);
    }
    ids.insert(ids.end(), std::begin(kPartsAfterConstants), std::end(kPartsAfterConstants));
    return ids;
}

bool is_ignorable_id(std::string_view id) {
    const auto ids = ignorable_ids();
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

Diff compare(const Snapshot& a, const Snapshot& b, const Side& old_side, const Side& new_side,
             const std::set<std::string>& ignore_ids) {
    const Ignore ignore(ignore_ids);
    Diff diff{old_side, new_side, {}, {}, DiffOf::snapshots, {}};
    auto keep = [&](DiffSection section) {
        if (!section.changes.empty() && !ignore.section(section.id)) diff.sections.push_back(std::move(section));
    };
    keep(compare_library(a, b, ignore));
    for (const auto& id : category_ids(a, b)) {
        if (!ignore.constants(id)) keep(compare_category(find_category(a, id), find_category(b, id)));
    }
    keep(compare_build(a, b));
    keep(compare_features(a, b));
    keep(compare_configuration(a, b));
    keep(compare_providers(a, b));
    keep(compare_defaults(a, b));
    keep(compare_ciphers(a, b));
    keep(compare_protocol_ciphers(a, b));
    // The groups are the library's table, in no meaningful order; the
    // signature algorithms are a ClientHello's list, in preference order.
    keep(compare_names("groups", "key-exchange groups", a.groups, b.groups, false));
    // The library default's signature algorithms are also a field of the
    // defaults; said there once, unless a side lacks its defaults' list.
    if (!has_signature_list(a) || !has_signature_list(b)) {
        keep(compare_names("signature_algorithms", "signature algorithms (library default)",
                           a.signature_algorithms, b.signature_algorithms, true));
    }
    keep(compare_protocols(a, b));
    keep(compare_certificates(a, b));
    if (!ignore.bench()) keep(compare_bench(a, b));
    if (!ignore.bench() && !ignore.section("throughput")) keep(compare_throughput(a, b));
    if (!ignore.section("memory")) keep(compare_memory(a, b));
    diff.findings = find(diff, a, b);
    return diff;
}

}  // namespace sslfeatures::audit
