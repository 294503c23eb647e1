// `sslfeatures features`: the constants table of the chapter's features.py,
// for OpenSSL's own names, plus further categories and the library section.
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <fmt/ranges.h>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "cli/validators.hpp"
#include "bench/quick.hpp"
#include "reflect/catalogue.hpp"
#include "reflect/library_info.hpp"
#include "render/formats.hpp"
#include "render/handshake_table.hpp"

namespace sslfeatures::cli {
namespace {

// Seconds per quick-set case in the default job: eight cases, the whole job
// in about three seconds.
constexpr double kDefaultJobSeconds = 0.2;

struct FeaturesOptions {
    bool all = false;
    std::vector<std::string> categories;
    render::Format format = render::Format::text;
    std::string output;
    // The table alone never prints an OpenSSL error: skip loading the error
    // strings. Once skipped they cannot be loaded later in the process.
    bool error_strings = false;
};

std::string joined(const std::vector<std::string>& items) {
    return fmt::format("{}", fmt::join(items, ", "));
}

int run_features(const FeaturesOptions& options) {
    std::vector<std::string> ids = options.all ? reflect::all_category_ids()
                                   : options.categories.empty() ? reflect::default_category_ids()
                                                                : options.categories;
    // Load openssl.cnf (its providers change what the library offers) but not
    // the error-string tables, which this job never prints: a third of
    // OpenSSL's start-up cost.
    OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG | (options.error_strings ? 0 : OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS),
                        nullptr);
    reflect::Catalogue catalogue = reflect::build_catalogue(ids);
    // A serious mismatch makes every value suspect: say so even when the
    // library section is not shown.
    if (catalogue.warnings.empty() && reflect::version_mismatch_is_serious()) {
        catalogue.warnings.push_back(reflect::version_mismatch());
    }
    for (const std::string& warning : catalogue.warnings) print_warning(warning);

    const std::string text = render::render_catalogue(catalogue, options.format);
    emit(text, options.output);
    return kOk;
}

}  // namespace

Runner setup_features(CLI::App& sub) {
    auto options = std::make_shared<FeaturesOptions>();
    auto* all = sub.add_flag("--all", options->all,
                             "Every category, including the library section");
    sub.add_option("-c,--category", options->categories,
                   fmt::format("Only this section (repeatable): {}",
                               joined(reflect::all_category_ids())))
        ->check(one_of("category", "categories", reflect::all_category_ids(), "CATEGORY"))
        ->excludes(all);
    sub.add_option("-f,--format", options->format,
                   fmt::format("Output format: {} (default text)",
                               fmt::join(render::kFormatNames, ", ")))
        ->transform(named_value("format", "formats", render::named_formats(), "FORMAT"))
        ->type_name("TEXT");
    sub.add_option("-o,--output", options->output,
                   "Write to FILE (atomically) instead of standard output")
        ->check(file_name());
    return [options] { return run_features(*options); };
}

// The constants table, then a compact handshake table for the quick set in
// the same layout, so the default job also answers "how fast is this build".
int run_default() {
    FeaturesOptions table;
    table.error_strings = true;  // the handshakes that follow may have to explain a failure
    const int code = run_features(table);
    if (code != kOk) return code;
    const bench::Outcome quick = bench::run_quick(1, kDefaultJobSeconds);
    emit(fmt::format("\n{}", render::HandshakeTable{quick.results}), "");
    for (const std::string& failure : quick.failures) print_error(failure);
    return quick.failures.empty() ? kOk : kDifferent;
}

}  // namespace sslfeatures::cli
