// Files are written whole or not at all: into a temporary file beside the
// target, flushed to disk, then renamed over it.
#pragma once

#include <string>
#include <string_view>

namespace sslfeatures::util {

// Throws cli::Error(kFailure) with one line naming the path and the reason.
// `mode` applies to a newly created file (0600 for private keys).
void write_file_atomically(const std::string& path, std::string_view contents,
                           unsigned mode = 0644);

}  // namespace sslfeatures::util
