// The snapshot reader and everything `sslfeatures diff` does with what it read.
// A snapshot file is untrusted input: it may come from another machine, a
// ticket, a pull request. Findings: a crash, a sanitizer report, an exception
// other than the reader's documented SnapshotError, or a snapshot that does
// not survive being written and read again.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "audit/diff.hpp"
#include "audit/snapshot.hpp"
#include "audit/snapshot_json.hpp"
#include "fuzz_support.hpp"
#include "render/diff_report.hpp"

namespace {

using namespace sslfeatures;

// A snapshot the tool made of the running library, once: comparing the fuzzed
// one against real content reaches the "changed" paths of every section.
const audit::Snapshot& tool_snapshot() {
    static const audit::Snapshot snapshot = audit::take_snapshot();
    return snapshot;
}

// Every format `diff --format` offers, rendered as diff_cmd.cpp renders them.
void render_all(const audit::Diff& diff) {
    (void)fmt::format("{}", render::DiffText{diff});
    (void)fmt::format("{}", render::DiffMarkdown{diff});
    (void)render::diff_json(diff).dump(2);
}

// What the reader accepted, the writer must write so that the reader reads it
// back to the same text; otherwise a snapshot changes on its way through a file.
void check_round_trip(const audit::Snapshot& parsed) {
    const std::string text = audit::snapshot_text(parsed);
    const std::string again = audit::snapshot_text(audit::parse_snapshot(text, "round-trip"));
    if (again != text) {
        std::fprintf(stderr, "round trip changed the snapshot:\n--- first\n%s\n--- second\n%s\n", text.c_str(),
                     again.c_str());
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    tool_snapshot();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::optional<audit::Snapshot> parsed;
    try {
        parsed = audit::parse_snapshot(fuzz::as_text(data, size), "fuzz.json");
    } catch (const audit::SnapshotError&) {
        return 0;  // the documented rejection: `diff` reports it and exits 2
    }
    check_round_trip(*parsed);
    const audit::Side fuzzed{"fuzz.json", "fuzzed"};
    const audit::Side live{"live", "this library"};
    render_all(audit::compare(*parsed, *parsed, fuzzed, fuzzed));
    render_all(audit::compare(*parsed, tool_snapshot(), fuzzed, live));
    render_all(audit::compare(tool_snapshot(), *parsed, live, fuzzed, {"machine"}));
    return 0;
}
