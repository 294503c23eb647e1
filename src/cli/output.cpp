#include "cli/output.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "cli/exit_codes.hpp"
#include "util/atomic_file.hpp"

namespace sslfeatures::cli {

void emit(const std::string& text, const std::string& path) {
    if (!path.empty()) {
        util::write_file_atomically(path, text);
        return;
    }
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
        const int err = errno;
        // The reader left (`| head`): end as any filter does, by SIGPIPE,
        // which main() ignores only so that a vanished TLS peer is reported.
        if (err == EPIPE) {
            std::signal(SIGPIPE, SIG_DFL);
            std::raise(SIGPIPE);
        }
        throw Error(kFailure, fmt::format("cannot write to standard output: {}", std::strerror(err)));
    }
}

}  // namespace sslfeatures::cli
