// Assertions every end-to-end test makes about the tool's failures: one line
// on stderr, "sslfeatures: error: ...", naming the problem, and the exit code
// the README documents for it.
#pragma once

#include <string>
#include <vector>

#include "support/process.hpp"

namespace sslfeatures::testing {

// `r` failed with `exit_code`, said so in exactly one error line that holds
// `must_mention`, and printed nothing on stdout.
void expect_one_line_error(const Result& r, int exit_code, const std::string& must_mention);

// Runs the tool with `args` and expects a usage or input error (exit 2).
void expect_usage_error(const std::vector<std::string>& args, const std::string& must_mention);

}  // namespace sslfeatures::testing
