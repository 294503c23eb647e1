// sslfeatures: OpenSSL's constants, defaults and handshakes, for the OpenSSL
// this binary is built against and runs with.
#include <csignal>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>

#include "bench/alloc_count.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "reflect/configuration.hpp"
#include "sslfeatures_config.hpp"

namespace {

using namespace sslfeatures;
using namespace sslfeatures::cli;

constexpr Command kCommands[] = {
    {"features", "Print OpenSSL's constants and feature availability (the default job)",
     setup_features},
    {"client", "Connect with secure defaults, send a message, optionally report the connection",
     setup_client},
    {"server", "Serve TLS with secure defaults, print what clients send, optionally report",
     setup_server},
    {"pki", "Make a test CA and a localhost certificate signed by it, in a directory", setup_pki},
    {"defaults", "Print what our secure client and server contexts and the library's own choose",
     setup_defaults},
    {"snapshot", "Write everything `diff` compares about this OpenSSL as one JSON document",
     setup_snapshot},
    {"diff", "Show what changes between two OpenSSL installations (snapshots, live, references), or two scans",
     setup_diff},
    {"bench", "Handshakes per second over the protocol, suite, key, group and mode matrix",
     setup_bench},
    {"scan", "What a live server accepts: versions, suites, groups, certificates, behaviour, Mozilla profiles",
     setup_scan},
};

std::string version_text() {
    return fmt::format("sslfeatures {} (headers: {}; library: {})", SSLFEATURES_VERSION,
                       OPENSSL_VERSION_TEXT, OpenSSL_version(OPENSSL_VERSION));
}

// CLI11's messages are good but spread over lines; ours stay on one.
std::string one_line(const CLI::ParseError& e, const CLI::App& app) {
    std::string message = e.what();
    for (char& c : message) {
        if (c == '\n') c = ' ';
    }
    std::string where = "sslfeatures";
    for (const CLI::App* sub : app.get_subcommands()) where += " " + sub->get_name();
    return fmt::format("{} (see '{} --help')", message, where);
}

// CLI11 would call an unknown command an "unexpected argument"; say what it is.
std::string unknown_command(int argc, char** argv) {
    if (argc < 2 || argv[1][0] == '-') return {};
    std::string_view word = argv[1];
    std::vector<std::string_view> names;
    for (const Command& c : kCommands) {
        if (c.name == word) return {};
        names.push_back(c.name);
    }
    return fmt::format("unknown command '{}'; valid commands: {} (see 'sslfeatures --help')", word,
                       fmt::join(names, ", "));
}

}  // namespace

int main(int argc, char** argv) {
    // `bench --measure memory` runs the program again to count every byte
    // OpenSSL allocates, which only hooks installed before its first can do.
    if (std::getenv(bench::kCountingEnv)) bench::install_counting_allocator();
    std::signal(SIGPIPE, SIG_IGN);  // a peer that vanishes is an error to report, not a crash
    // Before any other OpenSSL call, so the library's own silent load never runs.
    reflect::load_configuration();
    CLI::App app{"Reflect OpenSSL's constants, defaults and handshakes.", "sslfeatures"};
    app.set_version_flag("--version", version_text(), "Print the version and the OpenSSL in use");
    app.footer(std::string(exit_code_help()));
    app.require_subcommand(0, 1);

    std::vector<Runner> runners(std::size(kCommands));
    std::vector<CLI::App*> subs;
    for (std::size_t i = 0; i < std::size(kCommands); ++i) {
        CLI::App* sub = app.add_subcommand(std::string(kCommands[i].name),
                                           std::string(kCommands[i].summary));
        sub->footer(std::string(exit_code_help()));
        runners[i] = kCommands[i].setup(*sub);
        subs.push_back(sub);
    }

    if (std::string message = unknown_command(argc, argv); !message.empty()) {
        print_error(message);
        return kUsage;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        print_error(one_line(e, app));
        return kUsage;
    }

    try {
        for (std::size_t i = 0; i < subs.size(); ++i) {
            if (!subs[i]->parsed()) continue;
            // diff reads files; it asks for the library only for a "live" side.
            if (kCommands[i].name != "diff") reflect::require_configuration();
            return runners[i]();
        }
        reflect::require_configuration();
        return run_default();
    } catch (const Error& e) {
        print_error(e.what());
        return e.code();
    } catch (const std::exception& e) {
        print_error(fmt::format("unexpected failure: {} (please report this)", e.what()));
        return kFailure;
    }
}
