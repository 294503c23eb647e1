#include "util/atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

#include <fmt/format.h>

#include "cli/exit_codes.hpp"

namespace sslfeatures::util {
namespace {

[[noreturn]] void fail(const std::string& path, std::string_view doing, int err) {
    const char* hint = err == ENOSPC || err == EDQUOT ? "free some space and run again"
                       : err == ENOENT                ? "create the directory first"
                                                      : "check that the directory is writable";
    throw cli::Error(cli::kFailure, fmt::format("cannot write '{}': {} failed: {} ({})", path,
                                                doing, std::strerror(err), hint));
}

// Writes everything, through short writes and signals. Returns 0, or the
// errno of the write that failed.
int write_all(int fd, std::string_view contents) {
    const char* data = contents.data();
    std::size_t left = contents.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, data, left);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno;
        data += n;
        left -= static_cast<std::size_t>(n);
    }
    return 0;
}

// The rename is durable only once the directory holding it is on disk too.
// Best effort: some file systems cannot fsync a directory, and the file
// itself is already complete either way.
void sync_directory_of(const std::string& path) {
    std::string dir = std::filesystem::path(path).parent_path().string();
    if (dir.empty()) dir = ".";
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

// Mode, contents, then fsync and close: each failure names its step. The
// descriptor is closed in every case.
void fill(int fd, std::string_view contents, unsigned mode, const std::string& path) {
    int err = 0;
    const char* doing = nullptr;
    if (::fchmod(fd, static_cast<mode_t>(mode)) != 0) err = errno, doing = "chmod";
    else if ((err = write_all(fd, contents)) != 0) doing = "write";
    else if (::fsync(fd) != 0) err = errno, doing = "fsync";
    // close() reports write-back errors some file systems hold until then.
    if (::close(fd) != 0 && err == 0) err = errno, doing = "close";
    if (err != 0) fail(path, doing, err);
}

}  // namespace

StagedFile::StagedFile(std::string path, std::string_view contents, unsigned mode)
    : path_(std::move(path)) {
    std::string pattern = path_ + ".tmp.XXXXXX";
    const int fd = ::mkostemp(pattern.data(), O_CLOEXEC);
    if (fd < 0) fail(path_, "creating a temporary file", errno);
    // A throwing constructor runs no destructor: remove the partial file here.
    try {
        fill(fd, contents, mode, path_);
    } catch (...) {
        ::unlink(pattern.c_str());
        throw;
    }
    temporary_ = std::move(pattern);
}

StagedFile::StagedFile(StagedFile&& other) noexcept
    : path_(std::move(other.path_)), temporary_(std::exchange(other.temporary_, {})) {}

StagedFile::~StagedFile() {
    if (!temporary_.empty()) ::unlink(temporary_.c_str());
}

void StagedFile::commit() {
    if (::rename(temporary_.c_str(), path_.c_str()) != 0) fail(path_, "rename", errno);
    temporary_.clear();
    sync_directory_of(path_);
}

void write_file_atomically(const std::string& path, std::string_view contents, unsigned mode) {
    StagedFile(path, contents, mode).commit();
}

void write_files_atomically(const std::vector<FileContents>& files) {
    std::vector<StagedFile> staged;
    staged.reserve(files.size());
    for (const FileContents& f : files) staged.emplace_back(f.path, f.contents, f.mode);
    for (StagedFile& s : staged) s.commit();
}

}  // namespace sslfeatures::util
