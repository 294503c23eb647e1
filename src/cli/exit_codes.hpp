// How errors reach the user: a single line on stderr, "sslfeatures: error:
// <what> (<what to do>)", and the exit code table --help prints. The codes
// and the Error type themselves are the base layer's (util/error.hpp).
#pragma once

#include <string_view>

#include "util/error.hpp"

namespace sslfeatures::cli {

void print_error(std::string_view message);
void print_warning(std::string_view message);

// The exit code table as --help and the README print it.
std::string_view exit_code_help();

}  // namespace sslfeatures::cli
