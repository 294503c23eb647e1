#include "fuzz_support.hpp"

#include <cstdio>
#include <cstdlib>
#include <sys/mman.h>
#include <unistd.h>

namespace sslfeatures::fuzz {
void harness_failure(const char* what) {
    std::perror(what);
    std::abort();
}

std::vector<std::string> split(std::string_view text, char separator) {
    std::vector<std::string> fields;
    std::size_t start = 0;
    for (;;) {
        const std::size_t end = text.find(separator, start);
        fields.emplace_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) return fields;
        start = end + 1;
    }
}

ScratchFile::ScratchFile(const char* name) : fd_(::memfd_create(name, MFD_CLOEXEC)) {
    if (fd_ < 0) harness_failure("memfd_create");
    // Opening /proc/self/fd/N gives a fresh file description, read from offset 0.
    path_ = "/proc/self/fd/" + std::to_string(fd_);
}

ScratchFile::~ScratchFile() { ::close(fd_); }

void ScratchFile::write(std::string_view contents) {
    if (::ftruncate(fd_, 0) != 0) harness_failure("ftruncate");
    std::size_t done = 0;
    while (done < contents.size()) {
        const ssize_t n = ::pwrite(fd_, contents.data() + done, contents.size() - done, static_cast<off_t>(done));
        if (n <= 0) harness_failure("pwrite");
        done += static_cast<std::size_t>(n);
    }
}

}  // namespace sslfeatures::fuzz
