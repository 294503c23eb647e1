// Snapshots as JSON documents (schema "sslfeatures/snapshot", README,
// "Snapshots and diffs"), and the reader that checks every field of one.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "audit/snapshot.hpp"

namespace sslfeatures::audit {

inline constexpr std::string_view kSnapshotSchema = "sslfeatures/snapshot";
// The oldest version the reader takes (kSnapshotSchemaVersion is the newest).
inline constexpr int kOldestSnapshotSchemaVersion = 1;

// A document that is not a snapshot this version can read. what() is one line
// that starts with the source's name and says where: "FILE: line 3, column 7:
// ..." for JSON syntax, "FILE: /constants/options: ..." for content.
class SnapshotError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

nlohmann::ordered_json to_json(const Snapshot& snapshot);

// `source` names the document in error messages (a path, "live", a table).
Snapshot from_json(const nlohmann::ordered_json& doc, std::string_view source);
Snapshot parse_snapshot(std::string_view text, std::string_view source);
// The JSON of a file `diff` reads, whatever its schema (a snapshot, a scan),
// with parse_snapshot's one-line errors: empty, truncated, not JSON, a
// duplicate key.
nlohmann::ordered_json parse_document(std::string_view text, std::string_view source);

// The JSON text as `snapshot` writes it: two-space indent, final newline.
std::string snapshot_text(const Snapshot& snapshot);

}  // namespace sslfeatures::audit
