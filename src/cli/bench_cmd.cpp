// `sslfeatures bench`: handshakes per second over the matrix the running
// library supports, with Google Benchmark as the engine (its --benchmark_*
// flags pass through) and friendlier selectors on top.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
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

#include "bench/alloc_count.hpp"
#include "bench/bulk_matrix.hpp"
#include "bench/bulk_runner.hpp"
#include "bench/bulk_svg.hpp"
#include "bench/matrix.hpp"
#include "bench/memory.hpp"
#include "bench/remote.hpp"
#include "bench/remote_runner.hpp"
#include "bench/runner.hpp"
#include "bench/svg.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "cli/validators.hpp"
#include "tls/host_names.hpp"
#include "render/memory_report.hpp"
#include "util/atomic_file.hpp"

namespace sslfeatures::cli {
namespace {

// Seconds per case when the user gives no --benchmark_min_time: long enough
// for a stable quick set, short enough for the whole matrix in about a minute.
constexpr double kQuickMinTime = 0.25;
constexpr double kMatrixMinTime = 0.05;
constexpr std::size_t kQuickSize = 16;

enum class Measure { handshake, bulk, memory };

struct BenchOptions {
    Measure measure = Measure::handshake;
    bench::Selection selection;
    bench::Transport transport = bench::Transport::memory;
    std::vector<int> threads{1};
    std::vector<std::size_t> payloads;  // --size; empty: bench::kDefaultPayloads
    long iterations = 0;
    int pairs = 0;  // --pairs; 0: bench::kDefaultPairs
    std::string svg;
    bool list = false;
    std::vector<std::string> passthrough;  // --benchmark_* for Google Benchmark
    // --connect HOST:PORT and the options that only apply to it.
    std::string connect;
    bench::RemoteSettings remote;
    double timeout_s = 10;
    std::vector<CLI::Option*> connect_only;
    CLI::Option* key_option = nullptr;
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

template <typename Matrix>
void list_cases(const Matrix& matrix) {
    std::string text;
    for (const auto& c : matrix.cases) text += fmt::format("{}\n", c.name());
    for (const bench::Skipped& s : matrix.skipped) text += fmt::format("{}  skipped: {}\n", s.name, s.reason);
    print_out(text);
}

template <typename Outcome>
int report_failures(const Outcome& outcome) {
    if (outcome.failures.empty()) return kOk;
    for (const std::string& failure : outcome.failures) print_error(failure);
    print_error(fmt::format("{} of {} cases failed their checks", outcome.failures.size(),
                            outcome.results.size()));
    return kDifferent;
}

// "no case", and why: the selectors matched nothing, or only cases this
// library cannot run (the first one's reason tells which).
template <typename Matrix>
std::string no_case_message(const Matrix& matrix) {
    if (matrix.skipped.empty()) return "the selectors leave no case to run (see 'sslfeatures bench --help')";
    const bench::Skipped& first = matrix.skipped.front();
    return fmt::format("the selectors leave no case to run: the {} they pick cannot run here ({}: {})",
                       matrix.skipped.size(), first.name, first.reason);
}

// Options that belong to one kind of measurement only: refused with the
// others rather than ignored.
void check_memory_options(const BenchOptions& options) {
    const auto refuse = [](std::string_view option) {
        throw Error(kUsage, fmt::format("{} does not apply to --measure memory; leave it out", option));
    };
    if (!options.selection.ciphers.empty()) refuse("--cipher");
    if (!options.selection.groups.empty()) refuse("--group");
    if (!options.payloads.empty()) refuse("--size");
    if (options.threads != std::vector<int>{1}) refuse("--threads");
    if (options.transport != bench::Transport::memory) refuse("--transport");
    if (!options.svg.empty()) refuse("--svg");
    if (options.iterations > 0) refuse("--iterations");
    for (const std::string& arg : options.passthrough) {
        if (arg != "--benchmark_format=console" && arg != "--benchmark_format=json") {
            throw Error(kUsage, fmt::format("{} does not apply to --measure memory (Google Benchmark does not run it; "
                                            "--benchmark_format=console|json does)",
                                            arg));
        }
    }
}

void check_measure_options(const BenchOptions& options) {
    if (options.measure == Measure::memory) return check_memory_options(options);
    if (options.pairs > 0) throw Error(kUsage, "--pairs applies to --measure memory; add it, or leave --pairs out");
    const bool bulk = options.measure == Measure::bulk;
    if (!bulk && !options.payloads.empty()) {
        throw Error(kUsage, "--size applies to bulk data: add --measure bulk, or leave --size out");
    }
    if (!bulk) return;
    const auto refuse = [](std::string_view option) {
        throw Error(kUsage, fmt::format("{} applies to handshakes, not to --measure bulk; leave it out", option));
    };
    if (!options.selection.modes.empty()) refuse("--mode");
    if (options.threads != std::vector<int>{1}) refuse("--threads");
    if (options.transport != bench::Transport::memory) refuse("--transport");
}

// Every check a run makes before its first case, so that --list refuses
// exactly what a run would: arguments, selectors, pass-through flags and the
// --benchmark_out directory. Returns the cases.
template <typename Matrix>
Matrix checked(BenchOptions& options, Matrix matrix) {
    if (matrix.cases.empty()) throw Error(kUsage, no_case_message(matrix));
    check_passthrough_values(options.passthrough);
    return matrix;
}

void check_arguments(const BenchOptions& options) {
    for (const std::string& arg : options.passthrough) {
        if (!arg.starts_with("--benchmark_")) {
            throw Error(kUsage, fmt::format("unexpected argument '{}' (see 'sslfeatures bench --help')", arg));
        }
    }
    check_cout();
    check_measure_options(options);
    bench::check_selection(options.selection);
}

// What every kind of run shares: the reporters, Google Benchmark's flags,
// --list, the run itself (`run(options, display, file)`), the files written
// atomically together and the verdict.
template <typename Matrix, typename Run, typename Chart>
int run_measure(BenchOptions& options, const Matrix& matrix, Run run, Chart chart) {
    auto display = display_reporter(options.passthrough);
    FileReport file_report(options.passthrough);
    if (!options.svg.empty()) util::check_writable(options.svg);  // fails now, not after the run
    initialise_benchmark(options.passthrough, matrix.cases.size(), options.iterations > 0);
    if (options.list) {
        list_cases(matrix);
        return kOk;
    }
    bench::RunOptions settings;
    settings.transport = options.transport;
    settings.threads = options.threads;
    if (options.iterations > 0) settings.iterations = options.iterations;
    settings.progress = isatty(STDERR_FILENO) == 1;
    const auto outcome = run(matrix, settings, display.get(), file_report.reporter());
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
    if (!options.svg.empty()) files.push_back({options.svg, chart(outcome)});
    util::write_files_atomically(files);
    finish_out();  // the display reporter's table, which Google Benchmark does not check
    return report_failures(outcome);
}

// Memory per connection: this process holds the pairs for the resident
// figures; a second run of the program, with OpenSSL's allocations counted
// from its first, gives the exact figures (bench/memory.hpp).
int run_memory(const BenchOptions& options) {
    const std::vector<bench::Case> cases = bench::memory_cases(options.selection);
    if (cases.empty()) throw Error(kUsage, "the selectors leave no case to run (see 'sslfeatures bench --measure memory --list')");
    if (options.list) {
        std::string text;
        for (const bench::Case& c : cases) text += c.name() + "\n";
        print_out(text);
        return kOk;
    }
    const int pairs = options.pairs > 0 ? options.pairs : bench::kDefaultPairs;
    if (bench::counting_allocations()) {
        print_out(bench::counted_figures(cases, pairs));
        return kOk;
    }
    if (std::getenv(bench::kCountingEnv)) {
        throw Error(kFailure, "bench: OpenSSL's allocations cannot be counted (it allocated before main could install the hooks)");
    }
    int code = kOk;
    const std::vector<bench::MemoryResult> results = bench::measure_memory(cases, pairs, code);
    if (code != kOk) return code;  // the counting process has said why
    if (flag_value(options.passthrough, "--benchmark_format") == "json") {
        print_out(render::memory_json(results, pairs));
    } else {
        print_out(fmt::format("{}", render::MemoryTable{results, pairs}));
    }
    return kOk;
}

// What --connect cannot take: the server decides the key, and the load has
// its own bounds (--concurrency, --max-handshakes) and transport.
void check_connect_options(const BenchOptions& options) {
    const auto refuse = [](std::string_view option, std::string_view why) {
        throw Error(kUsage, fmt::format("{} does not apply to --connect: {}; leave it out", option, why));
    };
    if (options.key_option->count() > 0) refuse("--key", "the server decides the key");
    if (options.measure != Measure::handshake) refuse("--measure", "it runs handshakes only");
    if (options.threads != std::vector<int>{1}) refuse("--threads", "use --concurrency N");
    if (options.transport != bench::Transport::memory) refuse("--transport", "it always uses TCP to the server");
    if (options.iterations > 0) refuse("--iterations", "use --max-handshakes N");
    if (options.pairs > 0) refuse("--pairs", "it measures handshakes");
    if (!options.payloads.empty()) refuse("--size", "it measures handshakes");
}

void check_no_connect_options(const BenchOptions& options) {
    for (const CLI::Option* option : options.connect_only) {
        if (option->count() > 0) {
            throw Error(kUsage, fmt::format("{} applies to --connect HOST:PORT; add it, or leave {} out",
                                            option->get_name(), option->get_name()));
        }
    }
}

// bench --connect: the same matrix, run as a client against a live server
// (bench/remote.hpp), through the same reporters, table and chart.
int run_connect(BenchOptions& options) {
    check_connect_options(options);
    bench::RemoteSettings settings = options.remote;
    settings.target = tls::parse_host_port(options.connect, "--connect");
    settings.timeout = std::chrono::milliseconds(static_cast<long>(options.timeout_s * 1000));
    check_arguments(options);
    check_passthrough_values(options.passthrough);
    bench::Reached reached = bench::reach(settings);
    const bench::Address address = reached.address;
    if (settings.insecure) {
        print_warning(fmt::format("--insecure: the certificate of {} is NOT verified", settings.target.text()));
    }
    const bench::RemoteMatrix matrix = checked(options, bench::probe_matrix(options.selection, settings, reached));
    const auto run = [&](const bench::RemoteMatrix& m, const bench::RunOptions& run_options,
                         benchmark::BenchmarkReporter* display, benchmark::BenchmarkReporter* file) {
        return bench::run_remote_cases(m, settings, address, run_options, display, file);
    };
    return run_measure(options, matrix, run, bench::render_svg);
}

int run_bench(BenchOptions& options) {
    if (!options.connect.empty()) return run_connect(options);
    check_no_connect_options(options);
    check_arguments(options);
    if (options.measure == Measure::memory) return run_memory(options);
    if (options.measure == Measure::bulk) {
        std::vector<std::size_t> payloads = options.payloads;
        if (payloads.empty()) payloads.assign(std::begin(bench::kDefaultPayloads), std::end(bench::kDefaultPayloads));
        const auto matrix = checked(options, bench::build_bulk_matrix(options.selection, payloads));
        return run_measure(options, matrix, bench::run_bulk_cases, bench::render_bulk_svg);
    }
    const auto matrix = checked(options, bench::build_matrix(options.selection));
    return run_measure(options, matrix, bench::run_cases, bench::render_svg);
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
    options->key_option = sub.add_option("--key", s.keys, fmt::format("Only these certificate keys: {}", tls::key_type_names()))
        ->delimiter(',');
    sub.add_option("--group", s.groups, "Only these groups: x25519, p-256, p-384, ffdhe2048, x25519mlkem768, rsa (RSA key transport)")
        ->delimiter(',');
    sub.add_option("--mode", s.modes, "Only these modes: full, session-id, ticket")->delimiter(',');
    sub.add_flag("--quick", s.quick, "The quick set: default TLS 1.3 and 1.2 suites, RSA-2048 and ECDSA P-256, full and ticket");
    sub.add_option("--measure", options->measure,
                   "What to measure: handshake (default), bulk (application data per suite) or memory (bytes per connection)")
        ->transform(named_value("measurement", "measurements",
                                std::vector<std::pair<std::string, Measure>>{{"handshake", Measure::handshake},
                                                                              {"bulk", Measure::bulk},
                                                                              {"memory", Measure::memory}},
                                "WHAT"))
        ->type_name("TEXT");
    sub.add_option("--size", options->payloads,
                   "Bulk payload sizes per write (comma-separated): bytes, or with k or m for KiB and MiB (default 1k,16k)")
        ->delimiter(',')
        ->transform(payload_size());
    sub.add_option("--threads", options->threads,
                   "Run each case in N threads at once, one pair each (default 1); a list (1,2,4) runs each count in turn")
        ->delimiter(',')
        ->check(CLI::Range(1, 256));
    sub.add_option("--transport", options->transport, "memory (BIO pairs, default) or tcp (loopback sockets)")
        ->transform(named_value("transport", "transports",
                                std::vector<std::pair<std::string, bench::Transport>>{
                                    {"memory", bench::Transport::memory}, {"tcp", bench::Transport::tcp}},
                                "TRANSPORT"))
        ->type_name("TEXT");
    sub.add_option("--iterations", options->iterations, "Exactly N handshakes per case (for smoke tests)")
        ->check(CLI::Range(1L, 100000000L));
    sub.add_option("--pairs", options->pairs,
                   fmt::format("--measure memory: pairs held open at once for the whole-process figures (default {})",
                               bench::kDefaultPairs))
        ->check(CLI::Range(1, 100000));
    sub.add_option("--svg", options->svg, "Also write a chart to FILE (atomically): handshakes per second and latency, or with --measure bulk MB/s")
        ->check(file_name());
    sub.add_flag("--list", options->list,
                 "List the cases the selectors pick, and the skipped ones, and exit (with --connect: probe the server first)");
    sub.add_option("--connect", options->connect,
                   "Run the cases as a client against the server at HOST:PORT (IPv6: [::1]:443); the server's key names them")
        ->check(non_empty("HOST:PORT"));
    options->connect_only = {
        sub.add_option("--concurrency", options->remote.concurrency,
                       "With --connect: connections at once (default twice the cores)")
            ->check(CLI::Range(1, 4096)),
        sub.add_option("--duration", options->remote.duration_s, "With --connect: seconds per case (default 1)")
            ->check(seconds_between(0.01, 3600.0)),
        sub.add_option("--max-handshakes", options->remote.max_handshakes,
                       "With --connect: at most N connections per case, failed ones included")
            ->check(CLI::Range(1L, 1000000000L)),
        sub.add_option("--timeout", options->timeout_s,
                       "With --connect: seconds allowed per connection for connecting and the handshake (default 10)")
            ->check(seconds_between(0.01, 3600.0)),
        sub.add_option("--ca-file", options->remote.ca_file, "With --connect: trust these CAs (PEM) instead of the system's")
            ->check(non_empty("CA file")),
        sub.add_flag("--insecure", options->remote.insecure,
                     "With --connect: do NOT verify the server's certificate (the run warns)"),
    };
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
