#include "audit/sources.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "audit/snapshot_json.hpp"
#include "reflect/configuration.hpp"
#include "sslfeatures_config.hpp"

namespace sslfeatures::audit {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPrefix = "openssl-";
constexpr std::string_view kSuffix = ".json";

bool is_directory(const std::string& path) {
    std::error_code ec;
    return !path.empty() && fs::is_directory(path, ec);
}

std::string library_version(const Snapshot& s) {
    for (const auto& fact : s.library) {
        if (fact.name == "library_version") return fact.text;
    }
    return {};
}

std::string choices() {
    const auto names = reference_names();
    std::string text = "a snapshot file, `live`";
    if (!names.empty()) text += fmt::format(", or a reference table: {}", fmt::join(names, ", "));
    return text;
}

struct FileDescriptor {
    int fd = -1;
    ~FileDescriptor() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

std::string tables_dir() {
    if (const char* env = std::getenv("SSLFEATURES_TABLES"); env != nullptr && *env != '\0') return env;
    if (is_directory(SSLFEATURES_INSTALLED_TABLES)) return SSLFEATURES_INSTALLED_TABLES;
    return SSLFEATURES_SOURCE_TABLES;
}

std::vector<std::string> reference_names() {
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(tables_dir(), ec), end; !ec && it != end; it.increment(ec)) {
        const std::string file = it->path().filename().string();
        if (file.size() > kPrefix.size() + kSuffix.size() && file.starts_with(kPrefix) && file.ends_with(kSuffix)) {
            names.push_back(file.substr(0, file.size() - kSuffix.size()));
        }
    }
    std::sort(names.begin(), names.end());
    return names;
}

// open() and read() rather than a stream: a stream keeps no reason for its
// failure, and "Permission denied" is what the user needs to hear. Each errno
// is taken before anything else (choices() lists a directory) can change it.
std::string read_snapshot_file(const std::string& path, std::size_t limit) {
    const FileDescriptor file{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (file.fd < 0) {
        const int err = errno;
        throw SnapshotError(fmt::format("{}: cannot read it: {}; give {}", path, std::strerror(err), choices()));
    }
    struct stat st {};
    if (::fstat(file.fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        throw SnapshotError(fmt::format("{}: is a directory; give {}", path, choices()));
    }
    std::string text;
    char buffer[1 << 16];
    for (;;) {
        const ssize_t n = ::read(file.fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw SnapshotError(fmt::format("{}: read error: {}", path, std::strerror(errno)));
        if (n == 0) return text;
        text.append(buffer, static_cast<std::size_t>(n));
        if (text.size() > limit) {
            throw SnapshotError(fmt::format("{}: larger than {} MiB, far more than any snapshot; not a snapshot",
                                            path, limit >> 20));
        }
    }
}

bool names_file(std::string_view spec) {
    const std::string name(spec);
    if (name == "live") return false;
    const auto refs = reference_names();
    std::error_code ec;
    return std::find(refs.begin(), refs.end(), name) == refs.end() || fs::exists(name, ec);
}

Loaded snapshot_document(const nlohmann::ordered_json& doc, std::string_view name) {
    Snapshot s = from_json(doc, name);
    const std::string version = library_version(s);
    return {std::move(s), {std::string(name), version}};
}

Loaded load_snapshot(std::string_view spec) {
    const std::string name(spec);
    if (name == "live") {
        reflect::require_configuration();
        Snapshot s = take_snapshot();
        const std::string version = library_version(s);
        return {std::move(s), {name, version}};
    }
    if (names_file(name)) return snapshot_document(parse_document(read_snapshot_file(name), name), name);
    const std::string path = (fs::path(tables_dir()) / (name + std::string(kSuffix))).string();
    Snapshot s = parse_snapshot(read_snapshot_file(path), path);
    const std::string version = library_version(s);
    return {std::move(s), {name, version}};
}

}  // namespace sslfeatures::audit
