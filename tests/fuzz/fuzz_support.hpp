// Helpers the fuzz targets share: splitting an input into fields, and a file
// the library can open by name whose contents are the current input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sslfeatures::fuzz {

// A setup failure is the harness's, not a finding in the tool: says so
// (perror) and stops.
[[noreturn]] void harness_failure(const char* what);

// The input as text, for readers that take a string.
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// Fields separated by `separator`; empty fields are kept (an empty selector
// value is an input like any other).
std::vector<std::string> split(std::string_view text, char separator);

// An anonymous in-memory file (memfd), made once per process and rewritten
// for each input: the library opens it by path, as it opens the user's files,
// and nothing is left behind on disk. Aborts if the system refuses one.
class ScratchFile {
  public:
    explicit ScratchFile(const char* name);
    ScratchFile(const ScratchFile&) = delete;
    ScratchFile& operator=(const ScratchFile&) = delete;
    ~ScratchFile();

    void write(std::string_view contents);
    const std::string& path() const { return path_; }

  private:
    int fd_ = -1;
    std::string path_;
};

}  // namespace sslfeatures::fuzz
