// `sslfeatures diff OLD NEW`: what changes between two OpenSSL installations,
// each side a snapshot file, `live`, or a reference table; or between two
// scans of a server (`scan -f json` files), before and after a change to it.
// Exit codes as diff(1): 0 equal, 1 different, 2 trouble.
#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "audit/diff.hpp"
#include "audit/snapshot_json.hpp"
#include "audit/sources.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "cli/validators.hpp"
#include "render/diff_report.hpp"
#include "scan/scan_diff.hpp"
#include "scan/scan_json.hpp"

namespace sslfeatures::cli {
namespace {

enum class Format { text, json, markdown };

const std::vector<std::pair<std::string, Format>> kFormats = {
    {"text", Format::text}, {"json", Format::json}, {"markdown", Format::markdown}};

struct DiffOptions {
    std::string old_source;
    std::string new_source;
    Format format = Format::text;
    std::vector<std::string> ignore;
    std::string output;
    bool findings_only = false;
};

// One side as read: a snapshot, or a scan when the file says it is one.
struct Source {
    audit::Side side;
    std::optional<audit::Snapshot> snapshot;
    std::optional<scan::ScanResult> scan;
};

Source from_snapshot(audit::Loaded loaded) { return {std::move(loaded.side), std::move(loaded.snapshot), {}}; }

// A scan's side names the server too: before and after may be two hosts.
Source from_scan(scan::ScanResult s, const std::string& path) {
    const bool ipv6 = s.target.host.find(':') != std::string::npos;
    const std::string host = ipv6 ? "[" + s.target.host + "]" : s.target.host;
    audit::Side side{fmt::format("{} ({}:{})", path, host, s.target.port), ""};
    return {std::move(side), {}, std::move(s)};
}

// A file is read once, then read as whatever its schema says; `live` and the
// reference tables are snapshots.
Source load(const std::string& spec) {
    try {
        if (!audit::names_file(spec)) return from_snapshot(audit::load_snapshot(spec));
        const auto doc = audit::parse_document(audit::read_snapshot_file(spec), spec);
        if (!scan::is_scan_document(doc)) return from_snapshot(audit::snapshot_document(doc, spec));
        return from_scan(scan::scan_from_json(doc, spec), spec);
    } catch (const audit::SnapshotError& e) {
        throw Error(kUsage, e.what());
    }
}

// --ignore takes the ids of both kinds of diff; the ids of the other kind
// would silently do nothing, so they are refused here, where the kind is known.
void check_ignore(const std::vector<std::string>& ignore, bool scans) {
    const auto ids = scans ? scan::scan_section_ids() : audit::ignorable_ids();
    for (const std::string& id : ignore) {
        if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
            throw Error(kUsage, fmt::format("--ignore {} applies to {}, not to {}; valid parts for {}: {}", id,
                                            scans ? "snapshots" : "scans", scans ? "scans" : "snapshots",
                                            scans ? "scans" : "snapshots", fmt::join(ids, ", ")));
        }
    }
}

// Whether both sides are scans; a scan against a snapshot compares nothing alike.
bool both_scans(const Source& a, const Source& b) {
    if (a.scan.has_value() == b.scan.has_value()) return a.scan.has_value();
    const Source& scan_side = a.scan ? a : b;
    throw Error(kUsage, fmt::format("{} is a scan and the other side is not: diff compares two scans (`scan -f json` "
                                    "files) or two snapshots",
                                    scan_side.side.source));
}

std::string render(const audit::Diff& diff, const DiffOptions& options) {
    switch (options.format) {
        case Format::json: return render::diff_json(diff).dump(2) + "\n";
        case Format::markdown: return fmt::format("{}", render::DiffMarkdown{diff, options.findings_only});
        case Format::text: break;
    }
    return fmt::format("{}", render::DiffText{diff, options.findings_only});
}

int run_diff(const DiffOptions& options) {
    const Source old_side = load(options.old_source);
    const Source new_side = load(options.new_source);
    const bool scans = both_scans(old_side, new_side);
    check_ignore(options.ignore, scans);
    const std::set<std::string> ignore(options.ignore.begin(), options.ignore.end());
    const audit::Diff diff =
        scans ? scan::compare_scans(*old_side.scan, *new_side.scan, old_side.side, new_side.side, ignore)
              : audit::compare(*old_side.snapshot, *new_side.snapshot, old_side.side, new_side.side, ignore);
    emit(render(diff, options), options.output);
    return diff.equal() ? kOk : kDifferent;
}

// What --ignore takes: a snapshot diff's parts, then a scan diff's.
std::vector<std::string> ignorable_parts() {
    std::vector<std::string> ids = audit::ignorable_ids();
    const auto scan_ids = scan::scan_section_ids();
    ids.insert(ids.end(), scan_ids.begin(), scan_ids.end());
    return ids;
}

}  // namespace

Runner setup_diff(CLI::App& sub) {
    auto options = std::make_shared<DiffOptions>();
    const std::string sources = "a snapshot file, `live` (the running library), or a reference table "
                                "name such as openssl-3.0.22 (see README); or, on both sides, a scan "
                                "(`scan -f json`)";
    sub.add_option("OLD", options->old_source, "The old side: " + sources)->required();
    sub.add_option("NEW", options->new_source, "The new side: " + sources)->required();
    sub.add_option("-f,--format", options->format,
                   fmt::format("Output format: {} (default text)", fmt::join(words_of(kFormats), ", ")))
        ->transform(named_value("format", "formats", kFormats, "FORMAT"))
        ->type_name("TEXT");
    sub.add_option("--ignore", options->ignore, "Leave this part out (repeatable); `machine` ignores paths, "
                                                "build flags and speed; scans take the scan.* parts")
        ->check(one_of("part", "parts", ignorable_parts(), "PART"));
    sub.add_flag("--findings-only", options->findings_only,
                 "Print the summary and the findings, not the detailed sections (text and markdown; JSON "
                 "always holds both)");
    sub.add_option("-o,--output", options->output, "Write to FILE (atomically) instead of standard output")
        ->check(file_name());
    return [options] { return run_diff(*options); };
}

}  // namespace sslfeatures::cli
