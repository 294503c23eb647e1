#include "audit/diff.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "reflect/catalogue.hpp"

namespace sslfeatures::audit {
namespace {

using Json = nlohmann::ordered_json;

// The parts of a snapshot that are not constants categories, in output order
// around them: "library" comes first, the rest after the constants.
constexpr std::string_view kPartsAfterConstants[] = {
    "features", "defaults", "ciphers", "protocol_ciphers", "groups", "signature_algorithms",
    "protocols", "bench",
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

// ---- lists of names ----------------------------------------------------------

// Added and removed names, in each side's order; a same-set reordering is
// one change, since order is preference for ciphers, groups and signatures.
void compare_lists(const std::vector<std::string>& a, const std::vector<std::string>& b,
                   std::vector<Change>& out, std::string_view what = {}, bool ordered = true) {
    const std::set<std::string> in_a(a.begin(), a.end());
    const std::set<std::string> in_b(b.begin(), b.end());
    // Inside a bigger part ("client.groups") the change is named by the list.
    auto label = [&](const std::string& item) { return what.empty() ? item : std::string(what); };
    for (const auto& item : b) {
        if (!in_a.count(item)) out.push_back({ChangeKind::added, label(item), {}, item, {}, {}, {}});
    }
    for (const auto& item : a) {
        if (!in_b.count(item)) out.push_back({ChangeKind::removed, label(item), item, {}, {}, {}, {}});
    }
    std::vector<std::string> common_a, common_b;
    std::copy_if(a.begin(), a.end(), std::back_inserter(common_a), [&](const auto& n) { return in_b.count(n) != 0; });
    std::copy_if(b.begin(), b.end(), std::back_inserter(common_b), [&](const auto& n) { return in_a.count(n) != 0; });
    if (ordered && common_a != common_b) {
        out.push_back({ChangeKind::changed, what.empty() ? "order" : std::string(what), fmt::format("{}", fmt::join(common_a, " ")),
                       fmt::format("{}", fmt::join(common_b, " ")), {}, {}, "preference order changed"});
    }
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
    std::map<std::string, reflect::Value> old_values, new_values;
    if (a != nullptr) for (const auto& k : a->constants) old_values.emplace(k.name, k.value);
    if (b != nullptr) for (const auto& k : b->constants) new_values.emplace(k.name, k.value);
    // In the new table's order (by value), then what only the old one had.
    if (b != nullptr) {
        for (const auto& k : b->constants) {
            const auto it = old_values.find(k.name);
            if (it == old_values.end()) {
                section.changes.push_back({ChangeKind::added, k.name, {}, value_text(k.value), {}, k.value, {}});
            } else if (it->second != k.value) {
                const std::string note = reflect::is_bits_category(any.id) && b != nullptr
                                             ? flipped_bits(a, *b, it->second, k.value)
                                             : std::string{};
                section.changes.push_back({ChangeKind::changed, k.name, value_text(it->second),
                                           value_text(k.value), it->second, k.value, note});
            }
        }
    }
    if (a != nullptr) {
        for (const auto& k : a->constants) {
            if (!new_values.count(k.name)) {
                section.changes.push_back({ChangeKind::removed, k.name, value_text(k.value), {}, k.value, {}, {}});
            }
        }
    }
    return section;
}

// ---- library, features ---------------------------------------------------------

DiffSection compare_library(const Snapshot& a, const Snapshot& b, const Ignore& ignore) {
    DiffSection section{"library", "library", {}};
    std::map<std::string, std::string> old_facts;
    for (const auto& f : a.library) old_facts.emplace(f.name, f.text);
    std::set<std::string> new_names;
    for (const auto& f : b.library) new_names.insert(f.name);
    // A portable snapshot (the reference tables) leaves machine facts out:
    // one recorded on one side only is unknown on the other, not changed.
    auto unrecorded = [&](const std::string& name) {
        return is_machine_fact(name) && (!old_facts.count(name) || !new_names.count(name));
    };
    for (const auto& f : b.library) {
        if (ignore.fact(f.name) || unrecorded(f.name)) continue;
        const auto it = old_facts.find(f.name);
        if (it == old_facts.end()) {
            section.changes.push_back({ChangeKind::added, f.name, {}, f.text, {}, {}, {}});
        } else if (it->second != f.text) {
            section.changes.push_back({ChangeKind::changed, f.name, it->second, f.text, {}, {}, {}});
        }
    }
    for (const auto& f : a.library) {
        if (!new_names.count(f.name) && !ignore.fact(f.name) && !unrecorded(f.name)) {
            section.changes.push_back({ChangeKind::removed, f.name, f.text, {}, {}, {}, {}});
        }
    }
    return section;
}

std::string availability(bool available) { return available ? "available" : "not available"; }

DiffSection compare_features(const Snapshot& a, const Snapshot& b) {
    DiffSection section{"features", "feature availability", {}};
    std::map<std::string, bool> old_state;
    for (const auto& f : a.features) old_state.emplace(f.name, f.available);
    std::set<std::string> new_names;
    for (const auto& f : b.features) {
        new_names.insert(f.name);
        const auto it = old_state.find(f.name);
        if (it == old_state.end()) {
            section.changes.push_back({ChangeKind::added, f.name, {}, availability(f.available), {}, {}, "new flag"});
        } else if (it->second != f.available) {
            section.changes.push_back({ChangeKind::changed, f.name, availability(it->second),
                                       availability(f.available), {}, {}, f.available ? "gained" : "lost"});
        }
    }
    for (const auto& f : a.features) {
        if (!new_names.count(f.name)) {
            section.changes.push_back({ChangeKind::removed, f.name, availability(f.available), {}, {}, {}, "flag gone"});
        }
    }
    return section;
}

// ---- defaults: the JSON of `sslfeatures defaults`, leaf by leaf ---------------------

// Flattens a defaults part into path -> value text, or path -> list of names.
struct Leaves {
    std::map<std::string, std::string> scalars;
    std::map<std::string, std::vector<std::string>> lists;
    std::vector<std::string> order;  // paths in document order
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

void flatten(const Json& j, const std::string& path, Leaves& out) {
    if (j.is_object()) {
        for (const auto& [key, value] : j.items()) {
            if (key == "hex") continue;  // the same number as "value"
            flatten(value, path.empty() ? key : path + "." + key, out);
        }
    } else if (j.is_array()) {
        std::vector<std::string> names;
        for (const auto& item : j) names.push_back(item_label(item));
        out.lists[path] = std::move(names);
        out.order.push_back(path);
    } else {
        out.scalars[path] = scalar_text(j);
        out.order.push_back(path);
    }
}

// The defaults' fields that snapshot version 2 added: a version 1 snapshot
// did not record them, so on its side they are unknown, not absent.
bool unrecorded(const std::string& path, const Snapshot& a, const Snapshot& b) {
    if (a.schema_version >= 2 && b.schema_version >= 2) return false;
    // "client.host_name_check.on": the field follows the part's name.
    const std::size_t dot = path.find('.');
    if (dot == std::string::npos) return false;
    const std::string_view field = std::string_view(path).substr(dot + 1);
    for (const std::string_view added : {"host_name_check", "subject_cn_fallback"}) {
        if (field.substr(0, field.find('.')) == added) return true;
    }
    return false;
}

DiffSection compare_defaults(const Snapshot& a, const Snapshot& b) {
    DiffSection section{"defaults", "defaults (sslfeatures defaults)", {}};
    Leaves old_leaves, new_leaves;
    flatten(a.defaults, "", old_leaves);
    flatten(b.defaults, "", new_leaves);
    for (const auto& path : new_leaves.order) {
        if (unrecorded(path, a, b)) continue;
        if (const auto it = new_leaves.lists.find(path); it != new_leaves.lists.end()) {
            const auto old_it = old_leaves.lists.find(path);
            compare_lists(old_it != old_leaves.lists.end() ? old_it->second : std::vector<std::string>{},
                          it->second, section.changes, path);
            continue;
        }
        const std::string& now = new_leaves.scalars.at(path);
        const auto old_it = old_leaves.scalars.find(path);
        if (old_it == old_leaves.scalars.end()) {
            section.changes.push_back({ChangeKind::added, path, {}, now, {}, {}, {}});
        } else if (old_it->second != now) {
            section.changes.push_back({ChangeKind::changed, path, old_it->second, now, {}, {}, {}});
        }
    }
    for (const auto& path : old_leaves.order) {
        if (unrecorded(path, a, b)) continue;
        if (!new_leaves.scalars.count(path) && !new_leaves.lists.count(path)) {
            const auto it = old_leaves.scalars.find(path);
            const std::string was = it != old_leaves.scalars.end()
                                        ? it->second
                                        : fmt::format("{}", fmt::join(old_leaves.lists.at(path), " "));
            section.changes.push_back({ChangeKind::removed, path, was, {}, {}, {}, {}});
        }
    }
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

DiffSection compare_ciphers(const Snapshot& a, const Snapshot& b) {
    DiffSection section{"ciphers", "ciphers the library knows", {}};
    std::map<std::string, const Cipher*> old_ciphers, new_ciphers;
    for (const auto& c : a.ciphers) old_ciphers.emplace(c.name, &c);
    for (const auto& c : b.ciphers) new_ciphers.emplace(c.name, &c);
    for (const auto& c : b.ciphers) {
        const auto it = old_ciphers.find(c.name);
        if (it == old_ciphers.end()) {
            section.changes.push_back({ChangeKind::added, c.name, {}, cipher_text(c), {}, {}, {}});
        } else if (auto [was, now] = cipher_change(*it->second, c); !was.empty()) {
            section.changes.push_back({ChangeKind::changed, c.name, was, now, {}, {}, {}});
        }
    }
    for (const auto& c : a.ciphers) {
        if (!new_ciphers.count(c.name)) {
            section.changes.push_back({ChangeKind::removed, c.name, cipher_text(c), {}, {}, {}, {}});
        }
    }
    return section;
}

DiffSection compare_protocol_ciphers(const Snapshot& a, const Snapshot& b) {
    DiffSection section{"protocol_ciphers", "ciphers enabled by default, per protocol", {}};
    std::map<std::string, std::vector<std::string>> old_lists;
    for (const auto& p : a.protocol_ciphers) old_lists.emplace(p.protocol, p.ciphers);
    std::set<std::string> seen;
    for (const auto& p : b.protocol_ciphers) {
        seen.insert(p.protocol);
        compare_lists(old_lists[p.protocol], p.ciphers, section.changes, p.protocol);
    }
    for (const auto& p : a.protocol_ciphers) {
        if (!seen.count(p.protocol)) compare_lists(p.ciphers, {}, section.changes, p.protocol);
    }
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
    std::map<std::string, const ProtocolResult*> old_results;
    for (const auto& p : a.protocols) old_results.emplace(p.protocol, &p);
    for (const auto& p : b.protocols) {
        const auto it = old_results.find(p.protocol);
        if (it == old_results.end()) {
            section.changes.push_back({ChangeKind::added, p.protocol, {}, outcome(p), {}, {}, {}});
            continue;
        }
        const ProtocolResult& was = *it->second;
        if (same_outcome(was, p)) continue;
        std::string note;
        if (was.works() && !p.works()) note = "stopped working";
        else if (!was.works() && p.works()) note = "started working";
        section.changes.push_back({ChangeKind::changed, p.protocol, outcome(was), outcome(p), {}, {}, note});
    }
    std::set<std::string> now;
    for (const auto& p : b.protocols) now.insert(p.protocol);
    for (const auto& p : a.protocols) {
        if (!now.count(p.protocol)) section.changes.push_back({ChangeKind::removed, p.protocol, outcome(p), {}, {}, {}, {}});
    }
    return section;
}

// ---- handshake speed ---------------------------------------------------------------

std::string rate_text(const BenchCase& c) {
    return fmt::format("{:.0f}/s ±{:.1f}%", c.handshakes_per_second, 100 * c.cv);
}

// A change counts when it is larger than twice the combined spread of the two
// measurements (about 95% confidence for normally distributed rates).
DiffSection compare_bench(const Snapshot& a, const Snapshot& b) {
    DiffSection section{"bench", "handshake speed (changes beyond the measured noise)", {}};
    if (!a.bench || !b.bench) return section;
    std::map<std::string, const BenchCase*> old_cases;
    for (const auto& c : *a.bench) old_cases.emplace(c.id, &c);
    for (const auto& c : *b.bench) {
        const auto it = old_cases.find(c.id);
        if (it == old_cases.end()) {
            section.changes.push_back({ChangeKind::added, c.id, {}, rate_text(c), {}, {}, {}});
            continue;
        }
        const BenchCase& was = *it->second;
        if (was.handshakes_per_second <= 0) continue;
        const double change = c.handshakes_per_second / was.handshakes_per_second - 1;
        const double noise = 2 * std::hypot(was.cv, c.cv);
        if (std::abs(change) <= noise) continue;
        section.changes.push_back({ChangeKind::changed, c.id, rate_text(was), rate_text(c), {}, {},
                                   fmt::format("{:+.1f}% (noise ±{:.1f}%)", 100 * change, 100 * noise)});
    }
    std::set<std::string> now;
    for (const auto& c : *b.bench) now.insert(c.id);
    for (const auto& c : *a.bench) {
        if (!now.count(c.id)) section.changes.push_back({ChangeKind::removed, c.id, rate_text(c), {}, {}, {}, {}});
    }
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
    Diff diff{old_side, new_side, {}};
    auto keep = [&](DiffSection section) {
        if (!section.changes.empty() && !ignore.section(section.id)) diff.sections.push_back(std::move(section));
    };
    keep(compare_library(a, b, ignore));
    for (const auto& id : category_ids(a, b)) {
        if (!ignore.constants(id)) keep(compare_category(find_category(a, id), find_category(b, id)));
    }
    keep(compare_features(a, b));
    keep(compare_defaults(a, b));
    keep(compare_ciphers(a, b));
    keep(compare_protocol_ciphers(a, b));
    // The groups are the library's table, in no meaningful order; the
    // signature algorithms are a ClientHello's list, in preference order.
    keep(compare_names("groups", "key-exchange groups", a.groups, b.groups, false));
    keep(compare_names("signature_algorithms", "signature algorithms (library default)",
                       a.signature_algorithms, b.signature_algorithms, true));
    keep(compare_protocols(a, b));
    if (!ignore.bench()) keep(compare_bench(a, b));
    return diff;
}

}  // namespace sslfeatures::audit
