// `sslfeatures snapshot`: one JSON document with everything a later
// `sslfeatures diff` compares (README, "Snapshots and diffs").
#include <memory>
#include <string>

#include "audit/snapshot.hpp"
#include "audit/snapshot_json.hpp"
#include "bench/alloc_count.hpp"
#include "bench/quick.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "cli/validators.hpp"
#include "reflect/library_info.hpp"

namespace sslfeatures::cli {
namespace {

// Repetitions of the quick set for --with-bench: enough for a median and a
// coefficient of variation, about ten seconds in all.
constexpr int kBenchRepetitions = 5;

struct SnapshotOptions {
    std::string output;
    bool with_bench = false;
    bool portable = false;
};

int run_snapshot(const SnapshotOptions& options) {
    // The second run that counts OpenSSL's allocations (bench/memory.hpp)
    // hands its figures to the first and writes no snapshot.
    if (options.with_bench && bench::counting_allocations()) {
        print_out(bench::quick_memory_figures());
        return kOk;
    }
    if (reflect::version_mismatch_is_serious()) print_warning(reflect::version_mismatch());
    audit::Snapshot snapshot = audit::take_snapshot();
    if (options.with_bench) {
        snapshot.bench = bench::run_quick_set(kBenchRepetitions);
        snapshot.throughput = bench::run_quick_bulk(kBenchRepetitions);
        int code = kOk;
        snapshot.memory = bench::run_quick_memory(code);
        if (code != kOk) return code;  // the counting process has said why, in one line
    }
    if (options.portable) audit::drop_machine_facts(snapshot);
    emit(audit::snapshot_text(snapshot), options.output);
    return kOk;
}

}  // namespace

Runner setup_snapshot(CLI::App& sub) {
    auto options = std::make_shared<SnapshotOptions>();
    sub.add_option("-o,--output", options->output,
                   "Write to FILE (atomically) instead of standard output")
        ->check(file_name());
    sub.add_flag("--with-bench", options->with_bench,
                 "Also run the quick handshake and bulk sets (5 repetitions) and record their rates, and "
                 "the bytes OpenSSL holds per connection (about 30 s)");
    sub.add_flag("--portable", options->portable,
                 "Leave out what describes this machine rather than the library (paths, build flags, "
                 "build date, platform), as the reference tables in tables/ do");
    return [options] { return run_snapshot(*options); };
}

}  // namespace sslfeatures::cli
