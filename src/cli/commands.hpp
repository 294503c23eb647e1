// The subcommand table. Each subcommand lives in its own file and registers
// its options on a CLI11 sub-app; the runner it returns does the work.
#pragma once

#include <functional>
#include <string_view>

#include <CLI/CLI.hpp>

namespace sslfeatures::cli {

using Runner = std::function<int()>;

struct Command {
    std::string_view name;
    std::string_view summary;
    Runner (*setup)(CLI::App& sub);
};

Runner setup_features(CLI::App& sub);
Runner setup_client(CLI::App& sub);
Runner setup_server(CLI::App& sub);
Runner setup_pki(CLI::App& sub);
Runner setup_defaults(CLI::App& sub);
Runner setup_snapshot(CLI::App& sub);
Runner setup_diff(CLI::App& sub);
Runner setup_bench(CLI::App& sub);
Runner setup_scan(CLI::App& sub);

// The default job when no subcommand is given.
int run_default();

}  // namespace sslfeatures::cli
