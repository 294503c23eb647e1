// Exit codes shared by every subcommand, and the one way errors are reported:
// a single line on stderr, "sslfeatures: error: <what> (<what to do>)".
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace sslfeatures::cli {

enum ExitCode : int {
    kOk = 0,           // done
    kDifferent = 1,    // a comparison found differences, or a check failed
    kUsage = 2,        // bad command line or bad input file
    kFailure = 3,      // the environment failed us: I/O, OpenSSL, a peer
};

// Thrown by subcommands for a problem the user can fix; main() prints it and
// exits with its code.
class Error : public std::runtime_error {
  public:
    Error(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
    ExitCode code() const { return code_; }

  private:
    ExitCode code_;
};

void print_error(std::string_view message);
void print_warning(std::string_view message);

// The exit code table as --help and the README print it.
std::string_view exit_code_help();

}  // namespace sslfeatures::cli
