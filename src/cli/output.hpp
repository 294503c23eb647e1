// Where a subcommand's output goes: standard output, every write checked, or
// a file written atomically (-o FILE), so a reader never sees half of it.
#pragma once

#include <string>
#include <string_view>

#include "cli/exit_codes.hpp"

namespace sslfeatures::cli {

// Standard output could not be written: the output is lost, so the command
// fails (exit 3), and a server stops rather than serve on unheard.
class StdoutError : public Error {
  public:
    explicit StdoutError(int err);
};

// Writes `text` to standard output and flushes it, or throws StdoutError.
// A reader that left (`| head`) ends the process by SIGPIPE, as any filter.
// One call's text is never interleaved with another thread's.
void print_out(std::string_view text);

// Routes std::cout, where Google Benchmark's reporters write, through the
// same checks; finish_out() then reports the first write that failed.
void check_cout();

// Throws StdoutError when a write to std::cout since check_cout() failed, or
// when what stdio still holds for stdout cannot be flushed.
void finish_out();

// `path` empty: standard output; otherwise util::write_file_atomically.
// Throws Error(kFailure) when the output cannot be written.
void emit(const std::string& text, const std::string& path);

}  // namespace sslfeatures::cli
