#include "audit/findings.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <map>
#include <optional>
#include <regex>

#include <fmt/format.h>

namespace sslfeatures::audit {
namespace {

// The text a list item or a value change is about: what was added or
// removed, or what a value became.
const std::string& item_of(const Change& c) { return c.kind == ChangeKind::removed ? c.old_text : c.new_text; }

// A rule's patterns, compiled once.
class Patterns {
  public:
    explicit Patterns(const FindingRule& rule)
        : section_(compile(rule.section)), name_(compile(rule.name)), value_(compile(rule.value)),
          old_(compile(rule.old_text)), new_(compile(rule.new_text)), note_(compile(rule.note)) {}

    bool match(const FindingRule& rule, const DiffSection& section, const Change& c) const {
        return whole(section_, section.id) && (rule.kind.empty() || rule.kind == change_kind_name(c.kind)) &&
               whole(name_, c.name) && search(value_, item_of(c)) && search(old_, c.old_text) &&
               search(new_, c.new_text) && search(note_, c.note) && at_least(rule.new_at_least, c.new_text) &&
               below(rule.old_below, c.old_text);
    }

  private:
    static std::optional<std::regex> compile(std::string_view pattern) {
        if (pattern.empty()) return std::nullopt;
        return std::regex(pattern.begin(), pattern.end());
    }
    static bool whole(const std::optional<std::regex>& re, const std::string& text) {
        return !re || std::regex_match(text, *re);
    }
    static bool search(const std::optional<std::regex>& re, const std::string& text) {
        return !re || std::regex_search(text, *re);
    }
    static std::optional<std::uint64_t> number(const std::string& text) {
        std::uint64_t n = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
        if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
        return n;
    }
    static bool at_least(std::uint64_t floor, const std::string& text) {
        const auto n = number(text);
        return floor == 0 || (n && *n >= floor);
    }
    static bool below(std::uint64_t ceiling, const std::string& text) {
        const auto n = number(text);
        return ceiling == 0 || (n && *n < ceiling);
    }

    std::optional<std::regex> section_, name_, value_, old_, new_, note_;
};

// "a", "a and b", "a, b and c".
std::string listing(const std::vector<std::string>& items) {
    if (items.size() <= 1) return items.empty() ? std::string() : items.front();
    return fmt::format("{} and {}", fmt::join(items.begin(), items.end() - 1, ", "), items.back());
}

// A rule's sentence with its placeholders filled: {subjects}, and the first
// matching change's {old} and {new}.
std::string fill(std::string_view text, const std::string& subjects, const Change& first) {
    std::string out(text);
    const std::pair<std::string_view, const std::string*> fields[] = {
        {"{subjects}", &subjects}, {"{old}", &first.old_text}, {"{new}", &first.new_text}};
    for (const auto& [key, value] : fields) {
        for (std::size_t at = out.find(key); at != std::string::npos; at = out.find(key, at + value->size())) {
            out.replace(at, key.size(), *value);
        }
    }
    return out;
}

// The macro's definition on one side ("OPENSSL_TLS_SECURITY_LEVEL=2"), or "".
std::string definition(std::string_view macro, const Snapshot& s) {
    for (const std::string& d : s.build->defines) {
        if (d.substr(0, d.find('=')) == macro) return d;
    }
    return {};
}

// "the new library was built with -DOPENSSL_TLS_SECURITY_LEVEL=2" when the
// two builds define the macro differently: then the build, not the release,
// moved what the macro governs. Nothing when both agree or either build is
// unrecorded.
std::string build_evidence(std::string_view macro, const Snapshot& a, const Snapshot& b) {
    if (macro.empty() || !a.build || !b.build) return {};
    const std::string was = definition(macro, a), now = definition(macro, b);
    if (was == now) return {};
    if (now.empty()) return fmt::format("the old library was built with -D{}, the new one without", was);
    return was.empty() ? fmt::format("the new library was built with -D{}, the old one without", now)
                       : fmt::format("built with -D{}, before with -D{}", now, was);
}

// The settings of one side's configuration file whose names match.
std::map<std::string, std::string> matching_settings(const std::regex& pattern, const Snapshot& s) {
    std::map<std::string, std::string> out;
    if (!s.configuration) return out;
    for (const auto& setting : s.configuration->settings) {
        if (std::regex_search(setting.name, pattern)) out[setting.name] = setting.value;
    }
    return out;
}

// "the new configuration file sets ssl_conf.system_default.MinProtocol =
// TLSv1.2" when a matching setting differs between the two sides (set on one
// only, or to another value): a setting both sides share explains no change.
std::string configuration_evidence(std::string_view pattern, const Snapshot& a, const Snapshot& b) {
    if (pattern.empty() || !a.configuration || !b.configuration) return {};
    const std::regex re(pattern.begin(), pattern.end());
    const auto was = matching_settings(re, a), now = matching_settings(re, b);
    for (const auto& [name, value] : now) {
        const auto it = was.find(name);
        if (it == was.end() || it->second != value) {
            return fmt::format("the new configuration file sets {} = {}", name, value);
        }
    }
    for (const auto& [name, value] : was) {
        if (!now.count(name)) return fmt::format("the old configuration file set {} = {}, the new one does not", name, value);
    }
    return {};
}

void attribute(Finding& f, const FindingRule& rule, const Snapshot& a, const Snapshot& b) {
    if (!rule.origin.empty()) {
        f.origin = rule.origin;
        f.origin_evidence = rule.origin_note;
    } else if (std::string e = configuration_evidence(rule.config_setting, a, b); !e.empty()) {
        f.origin = "configuration";
        f.origin_evidence = std::move(e);
    } else if (std::string e = build_evidence(rule.build_macro, a, b); !e.empty()) {
        f.origin = "build";
        f.origin_evidence = std::move(e);
    } else {
        f.origin = "release";
    }
}

void add_unique(std::vector<std::string>& list, const std::string& item) {
    if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

}  // namespace

std::string_view severity_name(Severity severity) {
    switch (severity) {
        case Severity::breaks: return "breaks";
        case Severity::weakens: return "weakens";
        case Severity::strengthens: return "strengthens";
        case Severity::performance: return "performance";
        case Severity::notice: return "notice";
        case Severity::cosmetic: return "cosmetic";
    }
    return "notice";
}

std::string_view severity_title(Severity severity) {
    switch (severity) {
        case Severity::breaks: return "breaks connections";
        case Severity::weakens: return "weakens security";
        case Severity::strengthens: return "strengthens security";
        case Severity::performance: return "changes performance";
        case Severity::notice: return "worth knowing";
        case Severity::cosmetic: return "cosmetic";
    }
    return "worth knowing";
}

namespace {

// The finding `rule` makes of the changes no earlier rule took, marking
// them taken; nothing when it matches none.
std::optional<Finding> apply(const FindingRule& rule, const Diff& diff, std::vector<std::vector<bool>>& taken) {
    const Patterns patterns(rule);
    Finding f{std::string(rule.id), rule.severity, {}, {}, {}, {}, {}, {}};
    std::vector<std::string> subjects;
    const Change* first = nullptr;
    for (std::size_t s = 0; s < diff.sections.size(); ++s) {
        const DiffSection& section = diff.sections[s];
        for (std::size_t i = 0; i < section.changes.size(); ++i) {
            const Change& c = section.changes[i];
            if (taken[s][i] || !patterns.match(rule, section, c)) continue;
            taken[s][i] = true;
            if (first == nullptr) first = &c;
            f.evidence.push_back({s, i});
            add_unique(subjects, rule.subject == "value" ? item_of(c) : c.name);
            for (const auto& side : c.sides) add_unique(f.sides, side);
        }
    }
    if (first == nullptr) return std::nullopt;
    f.says = fill(rule.says, listing(subjects), *first);
    f.affects = fill(rule.affects, listing(subjects), *first);
    return f;
}

}  // namespace

namespace {

// Each change proves one finding: the first rule's that matches it, so a
// specific rule placed before a general one takes its changes. `attribute_to`
// gives each finding its origin (or leaves it empty).
template <typename Attribute>
std::vector<Finding> find_with(const Diff& diff, std::span<const FindingRule> rules, Attribute attribute_to) {
    std::vector<std::vector<bool>> taken;
    for (const auto& section : diff.sections) taken.emplace_back(section.changes.size(), false);
    std::vector<Finding> findings;
    for (const FindingRule& rule : rules) {
        std::optional<Finding> f = apply(rule, diff, taken);
        if (!f) continue;
        attribute_to(*f, rule);
        findings.push_back(std::move(*f));
    }
    std::stable_sort(findings.begin(), findings.end(),
                     [](const Finding& x, const Finding& y) { return x.severity < y.severity; });
    return findings;
}

}  // namespace

std::vector<Finding> find(const Diff& diff, const Snapshot& a, const Snapshot& b,
                          std::span<const FindingRule> rules) {
    return find_with(diff, rules, [&](Finding& f, const FindingRule& rule) { attribute(f, rule, a, b); });
}

std::vector<Finding> find(const Diff& diff, std::span<const FindingRule> rules) {
    return find_with(diff, rules, [](Finding&, const FindingRule&) {});
}

}  // namespace sslfeatures::audit
