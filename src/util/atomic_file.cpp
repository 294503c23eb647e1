#include "util/atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <linux/magic.h>
#include <string>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <utility>

#include <fmt/format.h>

#include "util/error.hpp"

namespace sslfeatures::util {
namespace {

namespace fs = std::filesystem;

// The kernel's own limit on the links one lookup follows (ELOOP past it).
constexpr int kMaxLinks = 40;

// Where a write to a path lands, decided once, before anything is written.
struct Target {
    std::string named;      // as the user gave it: every message names it
    std::string file;       // where its symlinks lead: the file that changes
    bool in_place = false;  // a device, FIFO or open file: written, never replaced
};

std::string directory_of(const std::string& path) {
    const std::string dir = fs::path(path).parent_path().string();
    return dir.empty() ? "." : dir;
}

std::string hint(const Target& t, int err) {
    switch (err) {
        case ENOSPC:
        case EDQUOT: return "free some space and run again";
        case ENOENT: return fmt::format("create the directory '{}' first", directory_of(t.file));
        case ENOTDIR: return "a directory in the path is a file";
        case EISDIR: return "name a file, not a directory";
        case ENXIO: return "a socket, or a device without a driver, cannot be written to; name a file";
        case ELOOP: return "too many symbolic links, or a loop; check where they lead";
        default: return t.in_place ? "check that it is writable" : "check that the directory is writable";
    }
}

[[noreturn]] void refuse(const Target& t, std::string_view why, std::string_view what_to_do) {
    const std::string via = t.file == t.named ? "" : fmt::format(" (a link to '{}')", t.file);
    throw Error(kFailure, fmt::format("cannot write '{}'{}: {} ({})", t.named, via, why, what_to_do));
}

// `doing` is the step that failed, or empty when the path itself is wrong.
[[noreturn]] void fail(const Target& t, std::string_view doing, int err) {
    const std::string why = doing.empty() ? std::string(std::strerror(err))
                                          : fmt::format("{} failed: {}", doing, std::strerror(err));
    refuse(t, why, hint(t, err));
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

// /proc/self/fd/1 (where /dev/stdout leads) stands for a process's open file:
// a pipe, a terminal, or a file the shell opened. Its name is no place to
// rename onto, and what readlink says of it ("pipe:[123]") is no path.
bool on_procfs(const std::string& path) {
    struct statfs info {};
    return ::statfs(directory_of(path).c_str(), &info) == 0 && info.f_type == PROC_SUPER_MAGIC;
}

std::string link_target(const Target& t) {
    std::error_code ec;
    const fs::path to = fs::read_symlink(t.file, ec);
    if (ec) fail(t, "readlink", ec.value());
    // Relative to the link's own directory; an absolute target replaces it.
    return (fs::path(t.file).parent_path() / to).string();
}

// Follows the symlink chain one link at a time, rather than by realpath(),
// so that a dangling link still yields the name to create; then decides by
// the type of the node the chain ends at.
Target resolve(const std::string& path) {
    Target t{path, path};
    for (int links = 0;; ++links) {
        struct stat st {};
        if (::lstat(t.file.c_str(), &st) != 0) {
            if (errno == ENOENT) return t;  // a new file; a missing directory fails when staging
            fail(t, "", errno);
        }
        if (S_ISREG(st.st_mode)) return t;
        if (S_ISDIR(st.st_mode)) refuse(t, "it is a directory", "name a file, not a directory");
        // open() would refuse it (ENXIO), but only once the other files of a
        // set were staged: say so before anything is written.
        if (S_ISSOCK(st.st_mode)) refuse(t, "it is a socket, which cannot be opened as a file", "name a file or a device");
        if (!S_ISLNK(st.st_mode) || on_procfs(t.file)) {
            t.in_place = true;
            return t;
        }
        if (links == kMaxLinks) fail(t, "", ELOOP);
        t.file = link_target(t);
    }
}

// The rename is durable only once the directory holding it is on disk too.
// Best effort: some file systems cannot fsync a directory, and the file
// itself is already complete either way.
void sync_directory_of(const std::string& path) {
    const int fd = ::open(directory_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

// Mode, contents, then fsync and close: each failure names its step. The
// descriptor is closed in every case.
void fill(int fd, std::string_view contents, unsigned mode, const Target& t) {
    int err = 0;
    const char* doing = nullptr;
    if (::fchmod(fd, static_cast<mode_t>(mode)) != 0) err = errno, doing = "chmod";
    else if ((err = write_all(fd, contents)) != 0) doing = "write";
    else if (::fsync(fd) != 0) err = errno, doing = "fsync";
    // close() reports write-back errors some file systems hold until then.
    if (::close(fd) != 0 && err == 0) err = errno, doing = "close";
    if (err != 0) fail(t, doing, err);
}

// A regular file's new contents, written and flushed to a temporary file in
// the target's directory. commit() renames it into place; destroying it
// uncommitted removes the temporary file, so a failure at any point leaves
// the target as it was.
class StagedFile {
  public:
    StagedFile(Target target, std::string_view contents, unsigned mode) : target_(std::move(target)) {
        std::string pattern = target_.file + ".tmp.XXXXXX";
        const int fd = ::mkostemp(pattern.data(), O_CLOEXEC);
        if (fd < 0) fail(target_, "creating a temporary file", errno);
        // A throwing constructor runs no destructor: remove the partial file here.
        try {
            fill(fd, contents, mode, target_);
        } catch (...) {
            ::unlink(pattern.c_str());
            throw;
        }
        temporary_ = std::move(pattern);
    }
    ~StagedFile() {
        if (!temporary_.empty()) ::unlink(temporary_.c_str());
    }
    StagedFile(StagedFile&& other) noexcept
        : target_(std::move(other.target_)), temporary_(std::exchange(other.temporary_, {})) {}
    StagedFile(const StagedFile&) = delete;
    StagedFile& operator=(const StagedFile&) = delete;
    StagedFile& operator=(StagedFile&&) = delete;

    void commit() {
        if (::rename(temporary_.c_str(), target_.file.c_str()) != 0) fail(target_, "rename", errno);
        temporary_.clear();
        sync_directory_of(target_.file);
    }

  private:
    Target target_;
    std::string temporary_;  // empty once committed or moved from
};

// A device or FIFO is written where it is, as cp writes one: opened without
// O_CREAT or O_TRUNC, every write checked. A regular file reached through
// /proc (-o /dev/stdout > file) is appended to, as the process's own output
// would be, so that a shell's >> keeps what the file held.
void write_in_place(const Target& t, std::string_view contents) {
    const int fd = ::open(t.file.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) fail(t, "open", errno);
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) ::fcntl(fd, F_SETFL, O_APPEND);
    int err = write_all(fd, contents);
    const char* doing = "write";
    if (::close(fd) != 0 && err == 0) err = errno, doing = "close";
    if (err != 0) fail(t, doing, err);
}

}  // namespace

void write_file_atomically(const std::string& path, std::string_view contents, unsigned mode) {
    Target target = resolve(path);
    if (target.in_place) write_in_place(target, contents);
    else StagedFile(std::move(target), contents, mode).commit();
}

void write_files_atomically(const std::vector<FileContents>& files) {
    std::vector<Target> targets;
    for (const FileContents& f : files) targets.push_back(resolve(f.path));
    std::vector<StagedFile> staged;
    staged.reserve(files.size());
    for (std::size_t i = 0; i < files.size(); ++i) {
        if (!targets[i].in_place) staged.emplace_back(targets[i], files[i].contents, files[i].mode);
    }
    // Devices and FIFOs before the renames: if one fails, no regular file has changed.
    for (std::size_t i = 0; i < files.size(); ++i) {
        if (targets[i].in_place) write_in_place(targets[i], files[i].contents);
    }
    for (StagedFile& s : staged) s.commit();
}

void check_writable(const std::string& path) {
    Target target = resolve(path);
    if (!target.in_place) StagedFile(std::move(target), {}, 0644);  // removed again at once
}

}  // namespace sslfeatures::util
