// Every file the tool writes goes through here, so that each writer treats a
// path the same way, the way cp does:
//  - a regular file, or a new name: written whole or not at all, into a
//    temporary file beside it, flushed to disk, then renamed over it;
//  - a symlink (or a chain of them): followed, and the file it ends at is
//    replaced as above, in that file's own directory; the link stays. A
//    dangling link's target is created;
//  - a character device, FIFO or a process's open file (/dev/stdout, which
//    is /proc/self/fd/1): opened and written in place, never replaced;
//  - a directory or a socket: refused.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sslfeatures::util {

// Errors throw Error(kFailure) with one line naming the path and why.
// `mode` applies to a new or replaced file (0600 for private keys).
void write_file_atomically(const std::string& path, std::string_view contents,
                           unsigned mode = 0644);

struct FileContents {
    std::string path;
    std::string contents;
    unsigned mode = 0644;
};

// Writes a set of files that belong together (a key and its certificate, a
// report and its chart). Every path is checked first, then every regular
// file staged, then the devices and FIFOs written, and only then are the
// staged files renamed into place: a directory among the targets, a full
// disk or an unwritable directory leaves every regular file unchanged.
void write_files_atomically(const std::vector<FileContents>& files);

// Fails as a write to `path` would (a missing or read-only directory, a
// directory named as the file), without changing anything: for a check before
// long work. A device or FIFO is not opened: a FIFO would wait for a reader.
void check_writable(const std::string& path);

}  // namespace sslfeatures::util
