#include "audit/findings.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <regex>

#include <fmt/format.h>

namespace sslfeatures::audit {
namespace {

// A rule's patterns, compiled once.
class Patterns {
  public:
    explicit Patterns(const FindingRule& rule)
        : section_(compile(rule.section)), name_(compile(rule.name)), value_(compile(rule.value)), old_(compile(rule.old_text)),
          new_(compile(rule.new_text)), note_(compile(rule.note)) {}

    bool match(const FindingRule& rule, const DiffSection& section, const Change& c) const {
        return whole(section_, section.id) && (rule.kind.empty() || rule.kind == change_kind_name(c.kind)) &&
               whole(name_, c.name) && search(value_, value_of(c)) && search(old_, c.old_text) &&
               search(new_, c.new_text) && search(note_, c.note) && at_least(rule.new_at_least, c.new_text);
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
    // The text a list item or a value change is about: what was added or
    // removed, or what a value became.
    static const std::string& value_of(const Change& c) {
        return c.kind == ChangeKind::removed ? c.old_text : c.new_text;
    }
    static bool at_least(std::uint64_t floor, const std::string& text) {
        if (floor == 0) return true;
        std::uint64_t n = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
        return error == std::errc() && n >= floor;
    }

    std::optional<std::regex> section_, name_, value_, old_, new_, note_;
};

const std::string& item_of(const Change& c) { return c.kind == ChangeKind::removed ? c.old_text : c.new_text; }

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

// "openssl.cnf sets ssl_conf.system_default.MinProtocol = TLSv1.2" when a
// setting of either side's configuration file matches.
std::string configuration_evidence(std::string_view pattern, const Snapshot& a, const Snapshot& b) {
    for (const Snapshot* s : {&b, &a}) {
        if (pattern.empty() || !s->configuration) continue;
        for (const auto& setting : s->configuration->settings) {
            if (std::regex_search(setting.name, std::regex(pattern.begin(), pattern.end()))) {
                return fmt::format("the {} configuration file sets {} = {}", s == &b ? "new" : "old", setting.name,
                                   setting.value);
            }
        }
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

std::vector<Finding> find(const Diff& diff, const Snapshot& a, const Snapshot& b,
                          std::span<const FindingRule> rules) {
    std::vector<Finding> findings;
    // Each change proves one finding: the first rule that matches it, so a
    // specific rule placed before a general one takes its changes.
    std::vector<std::vector<bool>> taken;
    for (const auto& section : diff.sections) taken.emplace_back(section.changes.size(), false);
    for (const FindingRule& rule : rules) {
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
        if (first == nullptr) continue;
        f.says = fill(rule.says, listing(subjects), *first);
        f.affects = fill(rule.affects, listing(subjects), *first);
        attribute(f, rule, a, b);
        findings.push_back(std::move(f));
    }
    std::stable_sort(findings.begin(), findings.end(),
                     [](const Finding& x, const Finding& y) { return x.severity < y.severity; });
    return findings;
}

}  // namespace sslfeatures::audit
