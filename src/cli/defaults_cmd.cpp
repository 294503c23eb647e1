// `sslfeatures defaults`: the modern form of the chapter's list of what
// Python's create_default_context() chooses. Our secure client and server
// contexts, and the library's bare TLS_method() context beside them, each read
// back from the live SSL_CTX rather than restated from our own constants.
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <openssl/ssl.h>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "cli/validators.hpp"
#include "reflect/library_info.hpp"
#include "render/defaults_report.hpp"

namespace sslfeatures::cli {
namespace {

enum class Format { text, json };

const std::vector<std::pair<std::string, Format>> kFormats = {{"text", Format::text}, {"json", Format::json}};

struct DefaultsOptions {
    Format format = Format::text;
    std::string output;
};

int run_defaults(const DefaultsOptions& options) {
    // The constant names come from the headers, the values from the running
    // library: when they are different releases the names may be wrong.
    if (reflect::version_mismatch_is_serious()) print_warning(reflect::version_mismatch());
    const std::vector<tls::DefaultsPart> parts = tls::live_defaults_parts();
    const tls::BitNamer namer;
    const reflect::Configuration config = reflect::read_configuration();
    emit(options.format == Format::json ? tls::defaults_json(parts, namer, &config).dump(2) + "\n"
                                        : fmt::format("{}", render::DefaultsText{parts, namer, config}),
         options.output);
    return kOk;
}

}  // namespace

Runner setup_defaults(CLI::App& sub) {
    auto options = std::make_shared<DefaultsOptions>();
    sub.add_option("-f,--format", options->format,
                   fmt::format("Output format: {} (default text)", fmt::join(words_of(kFormats), ", ")))
        ->transform(named_value("format", "formats", kFormats, "FORMAT"))
        ->type_name("TEXT");
    sub.add_option("-o,--output", options->output,
                   "Write to FILE (atomically) instead of standard output")
        ->check(file_name());
    return [options] { return run_defaults(*options); };
}

}  // namespace sslfeatures::cli
