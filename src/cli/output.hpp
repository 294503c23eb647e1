// Where a subcommand's document goes: standard output, or a file written
// atomically (-o FILE), so a reader never sees half of it.
#pragma once

#include <string>

namespace sslfeatures::cli {

// Throws Error(kFailure) when standard output or the file cannot be written.
void emit(const std::string& text, const std::string& path);

}  // namespace sslfeatures::cli
