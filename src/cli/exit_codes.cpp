#include "cli/exit_codes.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace sslfeatures::cli {

void print_error(std::string_view message) {
    fmt::print(stderr, "sslfeatures: error: {}\n", message);
}

void print_warning(std::string_view message) {
    fmt::print(stderr, "sslfeatures: warning: {}\n", message);
}

std::string_view exit_code_help() {
    return "Exit codes: 0 ok; 1 differences found or a check failed; "
           "2 usage or input error; 3 I/O, OpenSSL or network failure.";
}

}  // namespace sslfeatures::cli
