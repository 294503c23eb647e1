// The findings a diff opens with: each a sentence saying what changed and
// who is affected, ordered by what breaks first, with the sides it holds for,
// where the change comes from (the release, the build, the configuration)
// and the detailed changes that prove it. The rules that make them are data,
// tables/findings.toml; this file applies them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "audit/diff.hpp"
#include "audit/snapshot.hpp"

namespace sslfeatures::audit {

// One rule of tables/findings.toml, as the build compiled it. Empty fields
// match anything; patterns are ECMAScript regular expressions, `name`
// matched against the whole change name (the field alone for the defaults'
// sides), the others searched for in their text.
struct FindingRule {
    std::string_view id;
    Severity severity;
    std::string_view section;  // DiffSection ids (a pattern, like `name`)
    std::string_view kind;     // "added", "removed", "changed" or ""
    std::string_view name;
    std::string_view value;    // the added or removed text, or a change's new text
    std::string_view old_text, new_text, note;
    std::uint64_t new_at_least;  // a change's new text, read as a number, is at least this (0: any)
    std::uint64_t old_below;     // and its old text is below this (0: any)
    std::string_view subject;  // what {subjects} lists: "name" or "value"
    std::string_view says, affects;
    std::string_view build_macro;     // the build is the origin when the builds define it differently
    std::string_view config_setting;  // the configuration is, when a setting's name matches
    std::string_view origin, origin_note;  // a known origin, and why: overrides the two above
};
std::span<const FindingRule> finding_rules();  // generated from tables/findings.toml

// The findings of `diff` under `rules`, most severe first; a change no rule
// matches is left to the detailed sections.
std::vector<Finding> find(const Diff& diff, const Snapshot& old_snapshot, const Snapshot& new_snapshot,
                          std::span<const FindingRule> rules = finding_rules());
// The same with no origin: for two scans of a server there is no release,
// build or configuration file to trace a change to, only the server.
std::vector<Finding> find(const Diff& diff, std::span<const FindingRule> rules = finding_rules());

}  // namespace sslfeatures::audit
