// What changed between two snapshots, grouped into sections a reader scans:
// library, one per constants category, features, defaults, ciphers, groups,
// signature algorithms, protocols, handshake speed.
#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "audit/snapshot.hpp"

namespace sslfeatures::audit {

enum class ChangeKind { added, removed, changed };
std::string_view change_kind_name(ChangeKind kind);  // "added", "removed", "changed"

struct Change {
    ChangeKind kind = ChangeKind::changed;
    std::string name;
    std::string old_text;  // empty for added
    std::string new_text;  // empty for removed
    std::optional<reflect::Value> old_value, new_value;  // constants only
    std::string note;  // the flags whose bits flipped, a percentage, a reason ...
    // The parts of the defaults ("client", "server", "library_default") the
    // change holds for, when it is theirs; `name` is then the field alone
    // ("options.names"), said once for every side it applies to.
    std::vector<std::string> sides;
};

struct DiffSection {
    std::string id;     // what --ignore takes
    std::string title;  // the heading
    std::vector<Change> changes;
};

// Most severe first; the order findings are listed in.
enum class Severity { breaks, weakens, strengthens, performance, notice, cosmetic };
std::string_view severity_name(Severity severity);   // "breaks" ...
std::string_view severity_title(Severity severity);  // "breaks connections" ...

// What a diff opens with (audit/findings.hpp makes them from the rules in
// tables/findings.toml).
// A detailed change, by where the diff lists it: diff.sections[section].changes[change].
struct Evidence {
    std::size_t section = 0;
    std::size_t change = 0;
};

struct Finding {
    std::string rule;
    Severity severity = Severity::notice;
    std::string says, affects;
    std::vector<std::string> sides;  // empty: the library as a whole
    std::string origin;              // "release", "build" or "configuration"; empty for scans
                                     // (nothing but the server to trace a change to)
    std::string origin_evidence;     // "compiled with -DOPENSSL_TLS_SECURITY_LEVEL=2"
    std::vector<Evidence> evidence;
};

struct Side {
    std::string source;   // what the user named: a path, "live", a table name
    std::string library;  // the library_version the snapshot records
};

// What the two sides are: the JSON says it, since a scan diff's section ids
// and findings differ from a snapshot diff's.
enum class DiffOf { snapshots, scans };
std::string_view diff_of_name(DiffOf of);  // "snapshots", "scans"

struct Diff {
    Side old_side, new_side;
    std::vector<DiffSection> sections;  // only sections with changes
    std::vector<Finding> findings;      // most severe first
    DiffOf of = DiffOf::snapshots;
    // What could not be compared, one sentence each: a scan's "not tested"
    // where the other side has an answer. Not changes: they leave equal() alone.
    std::vector<std::string> notes;
    bool equal() const { return sections.empty(); }
    std::size_t change_count() const;
};

// The ids --ignore accepts, in section order: the parts of a snapshot, each
// constants category, "constants" for all of them, and "machine" for what
// differs between two machines with the same library (paths, build flags,
// build date, platform, handshake speed).
std::vector<std::string> ignorable_ids();
bool is_ignorable_id(std::string_view id);

Diff compare(const Snapshot& old_snapshot, const Snapshot& new_snapshot, const Side& old_side,
             const Side& new_side, const std::set<std::string>& ignore = {});

}  // namespace sslfeatures::audit
