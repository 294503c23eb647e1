// Files are written whole or not at all: into a temporary file beside the
// target, flushed to disk, then renamed over it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sslfeatures::util {

// A file's new contents, written and flushed to a temporary file beside it.
// commit() renames it into place; destroying it uncommitted removes the
// temporary file, so a failure at any point leaves the target as it was.
// Errors throw cli::Error(kFailure) with one line naming the path and why.
class StagedFile {
  public:
    // `mode` applies to the new file (0600 for private keys).
    StagedFile(std::string path, std::string_view contents, unsigned mode = 0644);
    ~StagedFile();
    StagedFile(StagedFile&& other) noexcept;
    StagedFile(const StagedFile&) = delete;
    StagedFile& operator=(const StagedFile&) = delete;
    StagedFile& operator=(StagedFile&&) = delete;

    void commit();
    const std::string& path() const { return path_; }

  private:
    std::string path_;
    std::string temporary_;  // empty once committed or moved from
};

void write_file_atomically(const std::string& path, std::string_view contents,
                           unsigned mode = 0644);

struct FileContents {
    std::string path;
    std::string contents;
    unsigned mode = 0644;
};

// Writes a set of files that belong together (a key and its certificate, a
// report and its chart). Every file is staged before the first is renamed, so
// a full disk or an unwritable directory leaves none of them changed.
void write_files_atomically(const std::vector<FileContents>& files);

}  // namespace sslfeatures::util
