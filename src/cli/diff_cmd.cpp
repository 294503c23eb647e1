// `sslfeatures diff OLD NEW`: what changes between two OpenSSL installations,
// each side a snapshot file, `live`, or a reference table. Exit codes as
// diff(1): 0 equal, 1 different, 2 trouble.
#include <memory>
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

audit::Loaded load(const std::string& spec) {
    try {
        return audit::load_snapshot(spec);
    } catch (const audit::SnapshotError& e) {
        throw Error(kUsage, e.what());
    }
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
    const audit::Loaded old_side = load(options.old_source);
    const audit::Loaded new_side = load(options.new_source);
    const std::set<std::string> ignore(options.ignore.begin(), options.ignore.end());
    const audit::Diff diff =
        audit::compare(old_side.snapshot, new_side.snapshot, old_side.side, new_side.side, ignore);
    emit(render(diff, options), options.output);
    return diff.equal() ? kOk : kDifferent;
}

}  // namespace

Runner setup_diff(CLI::App& sub) {
    auto options = std::make_shared<DiffOptions>();
    const std::string sources = "a snapshot file, `live` (the running library), or a reference table "
                                "name such as openssl-3.0.22 (see README)";
    sub.add_option("OLD", options->old_source, "The old side: " + sources)->required();
    sub.add_option("NEW", options->new_source, "The new side: " + sources)->required();
    sub.add_option("-f,--format", options->format,
                   fmt::format("Output format: {} (default text)", fmt::join(words_of(kFormats), ", ")))
        ->transform(named_value("format", "formats", kFormats, "FORMAT"))
        ->type_name("TEXT");
    sub.add_option("--ignore", options->ignore, "Leave this part out (repeatable); `machine` ignores paths, "
                                                "build flags and speed")
        ->check(one_of("part", "parts", audit::ignorable_ids(), "PART"));
    sub.add_flag("--findings-only", options->findings_only,
                 "Print the summary and the findings, not the detailed sections (text and markdown; JSON "
                 "always holds both)");
    sub.add_option("-o,--output", options->output, "Write to FILE (atomically) instead of standard output")
        ->check(file_name());
    return [options] { return run_diff(*options); };
}

}  // namespace sslfeatures::cli
