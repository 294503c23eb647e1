// `sslfeatures scan HOST[:PORT]`: what a live server accepts (versions,
// suites and their order, groups, signature algorithms, certificates, ALPN,
// resumption and more) and how it stands against Mozilla's profiles. Exit 0
// when the scan ran; with --profile, 1 when the server deviates from it.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <unistd.h>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "cli/validators.hpp"
#include "render/scan_report.hpp"
#include "scan/profiles.hpp"
#include "scan/scan_json.hpp"
#include "scan/scanner.hpp"

namespace sslfeatures::cli {
namespace {

enum class Format { text, json, markdown };

const std::vector<std::pair<std::string, Format>> kFormats = {
    {"text", Format::text}, {"json", Format::json}, {"markdown", Format::markdown}};

struct ScanCommandOptions {
    std::string target;
    Format format = Format::text;
    std::string output;
    int at_once = 8;
    int at_most = 2000;
    double timeout_s = 5;
    std::string ca_file;
    std::string profile;  // exit 1 when the server deviates from it
};

// A progress line on a terminal only: pipes, files and CI logs get none.
std::function<void(std::string_view, int)> progress_line() {
    if (isatty(STDERR_FILENO) != 1) return nullptr;
    return [](std::string_view phase, int connections) {
        std::fprintf(stderr, "\rscan: %-22.*s %5d connections", static_cast<int>(phase.size()), phase.data(), connections);
        std::fflush(stderr);
    };
}

void clear_progress() {
    if (isatty(STDERR_FILENO) == 1) std::fprintf(stderr, "\r%60s\r", "");
}

std::string render(const scan::ScanResult& result, Format format) {
    switch (format) {
        case Format::json: return scan::to_json(result).dump(2) + "\n";
        case Format::markdown: return fmt::format("{}", render::ScanMarkdown{result});
        case Format::text: break;
    }
    return fmt::format("{}", render::ScanText{result});
}

int run_scan_command(const ScanCommandOptions& o) {
    const scan::Target target = scan::parse_target(o.target);
    const scan::Profiles profiles = scan::load_profiles();  // before any connection: a broken table fails fast
    scan::ScanOptions options;
    options.at_once = o.at_once;
    options.at_most = o.at_most;
    options.timeout = std::chrono::milliseconds(static_cast<long>(o.timeout_s * 1000));
    options.ca_file = o.ca_file;
    options.progress = progress_line();
    scan::ScanResult result;
    try {
        result = scan::run_scan(target, options);
    } catch (...) {
        clear_progress();
        throw;
    }
    clear_progress();
    result.profiles_source = scan::profiles_source(profiles);
    result.profiles = scan::judge(result, profiles);
    emit(render(result, o.format), o.output);
    for (const scan::ProfileVerdict& v : result.profiles) {
        if (v.profile == o.profile && !v.complies) return kDifferent;
    }
    return kOk;
}

}  // namespace

Runner setup_scan(CLI::App& sub) {
    auto o = std::make_shared<ScanCommandOptions>();
    sub.add_option("target", o->target, "HOST[:PORT] (port 443 by default); IPv6 as [::1]:443")->required();
    sub.add_option("-f,--format", o->format, "Output format: text, json, markdown (default text)")
        ->transform(named_value("format", "formats", kFormats, "FORMAT"))
        ->type_name("TEXT");
    sub.add_option("-o,--output", o->output, "Write to FILE (atomically) instead of standard output")->check(file_name());
    sub.add_option("--connections", o->at_once, "At most N connections open at once (default 8)")
        ->check(CLI::Range(1, 64));
    sub.add_option("--max-connections", o->at_most, "At most N connections in all (default 2000)")
        ->check(CLI::Range(10, 100000));
    sub.add_option("--timeout", o->timeout_s, "Seconds each connection may take (default 5)")
        ->check(seconds_between(0.1, 300));
    sub.add_option("-a,--cafile", o->ca_file, "Judge certificates against these CAs (PEM) instead of the system's");
    sub.add_option("--profile", o->profile, "Exit 1 when the server deviates from this Mozilla profile: modern, "
                                            "intermediate, old")
        ->check(one_of("profile", "profiles", {"modern", "intermediate", "old"}, "PROFILE"));
    return [o] { return run_scan_command(*o); };
}

}  // namespace sslfeatures::cli
