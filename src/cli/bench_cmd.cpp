// `sslfeatures bench`: handshakes per second over the matrix the running
// library supports, with Google Benchmark as the engine (its --benchmark_*
// flags pass through) and friendlier selectors on top.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "bench/matrix.hpp"
#include "bench/runner.hpp"
#include "bench/svg.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "cli/validators.hpp"
#include "util/atomic_file.hpp"

namespace sslfeatures::cli {
namespace {

// Seconds per case when the user gives no --benchmark_min_time: long enough
// for a stable quick set, short enough for the whole matrix in about a minute.
constexpr double kQuickMinTime = 0.25;
constexpr double kMatrixMinTime = 0.05;
constexpr std::size_t kQuickSize = 16;

struct BenchOptions {
    bench::Selection selection;
    bench::Transport transport = bench::Transport::memory;
    int threads = 1;
    long iterations = 0;
    std::string svg;
    bool list = false;
    std::vector<std::string> passthrough;  // --benchmark_* for Google Benchmark
};

std::string flag_value(const std::vector<std::string>& args, std::string_view flag) {
    std::string value;
    for (const std::string& a : args) {
        if (a.rfind(std::string(flag) + "=", 0) == 0) value = a.substr(flag.size() + 1);
    }
    return value;
}

bool has_flag(const std::vector<std::string>& args, std::string_view flag) {
    for (const std::string& a : args) {
        if (a == flag || a.rfind(std::string(flag) + "=", 0) == 0) return true;
    }
    return false;
}

// Google Benchmark answers a bad value of these by printing its usage and
// exiting 0, or with two lines of its own: we check them first, in one place.
void check_passthrough_values(const std::vector<std::string>& args) {
    struct Choice {
        std::string_view flag;
        std::vector<std::string_view> valid;
    };
    static const Choice kChoices[] = {
        {"--benchmark_format", {"console", "json", "csv"}},
        {"--benchmark_out_format", {"json", "console", "csv"}},
        {"--benchmark_time_unit", {"ns", "us", "ms", "s"}},
        {"--benchmark_color", {"auto", "true", "false", "yes", "no", "1", "0"}},
    };
    for (const Choice& choice : kChoices) {
        if (!has_flag(args, choice.flag)) continue;
        const std::string value = flag_value(args, choice.flag);
        if (std::find(choice.valid.begin(), choice.valid.end(), value) == choice.valid.end()) {
            throw Error(kUsage, fmt::format("invalid value '{}' for {}; valid values: {}", value, choice.flag,
                                            fmt::join(choice.valid, ", ")));
        }
    }
    for (std::string_view flag : {"--benchmark_repetitions", "--benchmark_min_warmup_time"}) {
        if (!has_flag(args, flag)) continue;
        const std::string value = flag_value(args, flag);
        if (value.empty() || value.find_first_not_of("0123456789.") != std::string::npos) {
            throw Error(kUsage, fmt::format("invalid value '{}' for {}; it takes a number", value, flag));
        }
    }
}

bool lists_only(const std::vector<std::string>& args) {
    if (!has_flag(args, "--benchmark_list_tests")) return false;
    const std::string value = flag_value(args, "--benchmark_list_tests");
    return value != "false" && value != "0" && value != "no";
}

// --benchmark_out=FILE: Google Benchmark would truncate FILE and write it as
// it goes, without checking that the writes succeed. We take the flag away
// from it and keep the file's report in memory instead; the caller writes it
// atomically with the chart, so FILE is the old file or the whole new run.
class FileReport {
  public:
    // Removes --benchmark_out from `args`; the last one wins, as in Google Benchmark.
    explicit FileReport(std::vector<std::string>& args) {
        const std::string_view prefix = "--benchmark_out=";
        for (const std::string& a : args) {
            if (a.rfind(prefix, 0) == 0) path_ = a.substr(prefix.size());
        }
        if (!has_flag(args, "--benchmark_out")) return;
        std::erase_if(args, [](const std::string& a) { return a == "--benchmark_out" || a.starts_with("--benchmark_out="); });
        if (path_.empty()) throw Error(kUsage, "--benchmark_out needs a file name: --benchmark_out=FILE");
        // A directory that is missing or unwritable fails now, not after the run.
        util::check_writable(path_);
        reporter_ = make_reporter(flag_value(args, "--benchmark_out_format"));
        reporter_->SetOutputStream(&text_);
        reporter_->SetErrorStream(&text_);
    }

    benchmark::BenchmarkReporter* reporter() const { return reporter_.get(); }
    void add_to(std::vector<util::FileContents>& files) const {
        if (reporter_) files.push_back({path_, text_.str()});
    }

  private:
    static std::unique_ptr<benchmark::BenchmarkReporter> make_reporter(const std::string& format) {
        if (format == "console") return std::make_unique<benchmark::ConsoleReporter>(benchmark::ConsoleReporter::OO_None);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
        if (format == "csv") return std::make_unique<benchmark::CSVReporter>();
#pragma GCC diagnostic pop
        return std::make_unique<benchmark::JSONReporter>();  // Google Benchmark's default
    }

    std::string path_;
    std::ostringstream text_;
    std::unique_ptr<benchmark::BenchmarkReporter> reporter_;
};

// Hands the --benchmark_* flags to Google Benchmark; what it does not know
// is a usage error, like any unknown option.
void initialise_benchmark(std::vector<std::string> args, std::size_t cases, bool fixed_iterations) {
    if (!fixed_iterations && !has_flag(args, "--benchmark_min_time")) {
        const double seconds = cases <= kQuickSize ? kQuickMinTime : kMatrixMinTime;
        args.insert(args.begin(), fmt::format("--benchmark_min_time={}", seconds));
    }
    args.insert(args.begin(), "sslfeatures bench");
    // Google Benchmark keeps argv[0] for its reports: the strings must live
    // as long as the process.
    static std::vector<std::string> kept;
    kept = std::move(args);
    std::vector<char*> argv;
    for (std::string& a : kept) argv.push_back(a.data());
    int argc = static_cast<int>(argv.size());
    argv.push_back(nullptr);
    benchmark::Initialize(&argc, argv.data());
    if (argc > 1) {
        throw Error(kUsage, fmt::format("unknown option '{}' (Google Benchmark's flags take the form --benchmark_name=value)", argv[1]));
    }
}

// The reporter --benchmark_format asks for; we make it ourselves so that
// progress lines can be interleaved with its output.
std::unique_ptr<benchmark::BenchmarkReporter> display_reporter(const std::vector<std::string>& args) {
    const std::string format = flag_value(args, "--benchmark_format");
    if (format.empty() || format == "console") {
        int options = benchmark::ConsoleReporter::OO_Tabular;
        if (isatty(STDOUT_FILENO)) options |= benchmark::ConsoleReporter::OO_Color;
        return std::make_unique<benchmark::ConsoleReporter>(
            static_cast<benchmark::ConsoleReporter::OutputOptions>(options));
    }
    if (format == "json") return std::make_unique<benchmark::JSONReporter>();
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    if (format == "csv") return std::make_unique<benchmark::CSVReporter>();
#pragma GCC diagnostic pop
    throw Error(kUsage, "unknown format");  // check_passthrough_values stops this first
}

void list_cases(const bench::Matrix& matrix) {
    std::string text;
    for (const bench::Case& c : matrix.cases) text += fmt::format("{}\n", c.name());
    for (const bench::Skipped& s : matrix.skipped) text += fmt::format("{}  skipped: {}\n", s.name, s.reason);
    print_out(text);
}

int report_failures(const bench::Outcome& outcome) {
    if (outcome.failures.empty()) return kOk;
    for (const std::string& failure : outcome.failures) print_error(failure);
    print_error(fmt::format("{} of {} cases failed their checks", outcome.failures.size(),
                            outcome.results.size()));
    return kDifferent;
}

// "no case", and why: the selectors matched nothing, or only cases this
// library cannot run (the first one's reason tells which).
std::string no_case_message(const bench::Matrix& matrix) {
    if (matrix.skipped.empty()) return "the selectors leave no case to run (see 'sslfeatures bench --help')";
    const bench::Skipped& first = matrix.skipped.front();
    return fmt::format("the selectors leave no case to run: the {} they pick cannot run here ({}: {})",
                       matrix.skipped.size(), first.name, first.reason);
}

// Every check a run makes before its first case, so that --list refuses
// exactly what a run would: arguments, selectors, pass-through flags and the
// --benchmark_out directory.
bench::Matrix checked_matrix(BenchOptions& options) {
    for (const std::string& arg : options.passthrough) {
        if (arg.rfind("--benchmark_", 0) != 0) {
            throw Error(kUsage, fmt::format("unexpected argument '{}' (see 'sslfeatures bench --help')", arg));
        }
    }
    check_cout();
    bench::check_selection(options.selection);
    bench::Matrix matrix = bench::build_matrix(options.selection);
    if (matrix.cases.empty()) throw Error(kUsage, no_case_message(matrix));
    check_passthrough_values(options.passthrough);
    return matrix;
}

int run_bench(BenchOptions& options) {
    const bench::Matrix matrix = checked_matrix(options);
    auto display = display_reporter(options.passthrough);
    FileReport file_report(options.passthrough);
    if (!options.svg.empty()) util::check_writable(options.svg);  // fails now, not after the run
    initialise_benchmark(options.passthrough, matrix.cases.size(), options.iterations > 0);
    if (options.list) {
        list_cases(matrix);
        return kOk;
    }

    bench::RunOptions run;
    run.transport = options.transport;
    run.threads = options.threads;
    if (options.iterations > 0) run.iterations = options.iterations;
    run.progress = isatty(STDERR_FILENO) == 1;
    const bench::Outcome outcome = bench::run_cases(matrix, run, display.get(), file_report.reporter());
    if (lists_only(options.passthrough)) {
        finish_out();  // Google Benchmark listed the cases and ran none
        return kOk;
    }
    if (outcome.results.empty()) {
        const std::string why = outcome.engine_message.empty() ? "" : fmt::format(" (Google Benchmark: {})", outcome.engine_message);
        throw Error(kUsage, fmt::format("--benchmark_filter '{}' matches no case that can run{}; see 'sslfeatures "
                                        "bench --list'",
                                        flag_value(options.passthrough, "--benchmark_filter"), why));
    }
    std::vector<util::FileContents> files;
    file_report.add_to(files);
    if (!options.svg.empty()) files.push_back({options.svg, bench::render_svg(outcome)});
    util::write_files_atomically(files);
    finish_out();  // the display reporter's table, which Google Benchmark does not check
    return report_failures(outcome);
}

}  // namespace

Runner setup_bench(CLI::App& sub) {
    auto options = std::make_shared<BenchOptions>();
    bench::Selection& s = options->selection;
    sub.allow_extras();
    sub.add_option("--protocol", s.protocols, "Only these protocols (repeatable or comma-separated): tls1.3, tls1.2, tls1.1, tls1.0")
        ->delimiter(',');
    sub.add_option("--cipher", s.ciphers, "Only these suites, by OpenSSL or IANA name (repeatable or comma-separated)")
        ->delimiter(',');
    sub.add_option("--key", s.keys, fmt::format("Only these certificate keys: {}", tls::key_type_names()))
        ->delimiter(',');
    sub.add_option("--group", s.groups, "Only these groups: x25519, p-256, p-384, ffdhe2048, x25519mlkem768, rsa (RSA key transport)")
        ->delimiter(',');
    sub.add_option("--mode", s.modes, "Only these modes: full, session-id, ticket")->delimiter(',');
    sub.add_flag("--quick", s.quick, "The quick set: default TLS 1.3 and 1.2 suites, RSA-2048 and ECDSA P-256, full and ticket");
    sub.add_option("--threads", options->threads, "Run each case in N threads at once, one pair each (default 1)")
        ->check(CLI::Range(1, 256));
    sub.add_option("--transport", options->transport, "memory (BIO pairs, default) or tcp (loopback sockets)")
        ->transform(named_value("transport", "transports",
                                std::vector<std::pair<std::string, bench::Transport>>{
                                    {"memory", bench::Transport::memory}, {"tcp", bench::Transport::tcp}},
                                "TRANSPORT"))
        ->type_name("TEXT");
    sub.add_option("--iterations", options->iterations, "Exactly N handshakes per case (for smoke tests)")
        ->check(CLI::Range(1L, 100000000L));
    sub.add_option("--svg", options->svg, "Also write a chart of handshakes per second to FILE (atomically)")
        ->check(file_name());
    sub.add_flag("--list", options->list, "List the cases the selectors pick, and the skipped ones, and exit");
    sub.footer(fmt::format("Google Benchmark's flags pass through: --benchmark_filter=REGEX, "
                           "--benchmark_repetitions=N, --benchmark_min_time=SECONDS, "
                           "--benchmark_format=console|json|csv, --benchmark_out=FILE ...\n\n{}",
                           exit_code_help()));
    return [options, &sub] {
        options->passthrough = sub.remaining();
        return run_bench(*options);
    };
}

}  // namespace sslfeatures::cli
