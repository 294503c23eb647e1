#include "audit/sources.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "audit/snapshot_json.hpp"
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

std::string read_snapshot_file(const std::string& path, std::size_t limit) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        throw SnapshotError(fmt::format("{}: is a directory; give {}", path, choices()));
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw SnapshotError(fmt::format("{}: cannot read it: {}; give {}", path, std::strerror(errno), choices()));
    }
    std::string text;
    char buffer[1 << 16];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        text.append(buffer, static_cast<std::size_t>(in.gcount()));
        if (text.size() > limit) {
            throw SnapshotError(fmt::format("{}: larger than {} MiB, far more than any snapshot; not a snapshot",
                                            path, limit >> 20));
        }
    }
    if (in.bad()) throw SnapshotError(fmt::format("{}: read error: {}", path, std::strerror(errno)));
    return text;
}

Loaded load_snapshot(std::string_view spec) {
    const std::string name(spec);
    if (name == "live") {
        Snapshot s = take_snapshot();
        const std::string version = library_version(s);
        return {std::move(s), {name, version}};
    }
    std::string path = name;
    const auto refs = reference_names();
    // A file of that name wins over a table, so no file is ever unreachable.
    std::error_code ec;
    const bool is_reference = std::find(refs.begin(), refs.end(), name) != refs.end() && !fs::exists(name, ec);
    if (is_reference) path = (fs::path(tables_dir()) / (name + std::string(kSuffix))).string();
    Snapshot s = parse_snapshot(read_snapshot_file(path), is_reference ? path : name);
    const std::string version = library_version(s);
    return {std::move(s), {name, version}};
}

}  // namespace sslfeatures::audit
