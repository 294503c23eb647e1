// Two scans of one server compared, before and after a change to it (an
// upgrade, a new configuration): what it now accepts or refuses, as the
// sections and findings of an audit::Diff, so `diff` renders a scan diff with
// the same text, Markdown and JSON as a snapshot diff. Section ids start with
// "scan." and the findings come from the scan rules of tables/findings.toml.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "audit/diff.hpp"
#include "scan/scan.hpp"

namespace sslfeatures::scan {

// The section ids of a scan diff, in order: what `diff --ignore` takes for scans.
std::vector<std::string> scan_section_ids();
bool is_scan_section_id(std::string_view id);

// The target, library, statistics and timings are not compared: the two scans
// may have been made from different machines, or of a server that moved.
// Sections named in `ignore` are left out, and findings are made from the rest.
audit::Diff compare_scans(const ScanResult& old_scan, const ScanResult& new_scan, const audit::Side& old_side,
                          const audit::Side& new_side, const std::set<std::string>& ignore = {});

}  // namespace sslfeatures::scan
