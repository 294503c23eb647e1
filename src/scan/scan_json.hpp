// Scans as JSON documents (schema "sslfeatures/scan"): what `scan --format
// json` writes and what `diff` reads back, every field checked on the way in.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "scan/scan.hpp"

namespace sslfeatures::scan {

inline constexpr std::string_view kScanSchema = "sslfeatures/scan";
inline constexpr int kScanSchemaVersion = 1;

nlohmann::ordered_json to_json(const ScanResult& scan);
// Throws audit::SnapshotError naming `source` and the JSON Pointer at fault.
ScanResult scan_from_json(const nlohmann::ordered_json& doc, std::string_view source);

// Whether a parsed document says it is a scan (so `diff` can tell).
bool is_scan_document(const nlohmann::ordered_json& doc);

}  // namespace sslfeatures::scan
