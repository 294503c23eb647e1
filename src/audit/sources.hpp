// Where `sslfeatures diff` finds each side: the running library ("live"), a
// reference table shipped in tables/ ("openssl-3.0.22"), or a snapshot file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit/diff.hpp"
#include "audit/snapshot.hpp"

namespace sslfeatures::audit {

// The reference tables directory: $SSLFEATURES_TABLES when set, else the
// installed data directory when it exists, else the source tree's tables/.
std::string tables_dir();

// The names of the reference tables found there ("openssl-1.1.1w" ...), sorted.
std::vector<std::string> reference_names();

struct Loaded {
    Snapshot snapshot;
    Side side;
};

// Throws SnapshotError (one line naming the source and, for a bad document,
// the position) when the source cannot be read or is not a snapshot.
Loaded load_snapshot(std::string_view spec);

// Whether `spec` names a file: not `live`, and not a reference table unless a
// file of that name exists (which wins, so no file is ever unreachable).
bool names_file(std::string_view spec);

// A snapshot from a document parse_document read from the file `name`.
Loaded snapshot_document(const nlohmann::ordered_json& doc, std::string_view name);

// Reads a whole file of at most `limit` bytes; throws SnapshotError.
std::string read_snapshot_file(const std::string& path, std::size_t limit = 64u << 20);

}  // namespace sslfeatures::audit
