// `sslfeatures pki DIR`: a throwaway CA and a localhost certificate signed by
// it, for the TLS demos and tests: ca.crt, ca.key, and localhost.pem (the
// certificate followed by its key, like the chapter's localhost.pem).
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "cli/validators.hpp"
#include "tls/pki.hpp"
#include "util/atomic_file.hpp"

namespace sslfeatures::cli {
namespace {

constexpr int kMaxDays = 36500;
constexpr const char* kCaName = "sslfeatures test CA";
constexpr const char* kLeafName = "localhost";

struct PkiOptions {
    std::string dir;
    tls::KeyType key = tls::KeyType::rsa2048;
    std::vector<std::string> names;
    int days = 365;
    bool force = false;
};

using OutputFile = util::FileContents;

std::string path_in(const std::string& dir, const char* file) {
    return (std::filesystem::path(dir) / file).string();
}

std::vector<OutputFile> planned_files(const std::string& dir) {
    return {{path_in(dir, "ca.crt"), {}, 0644},
            {path_in(dir, "ca.key"), {}, 0600},
            {path_in(dir, "localhost.pem"), {}, 0600}};
}

bool exists(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;  // a dangling symlink counts too
}

// All or nothing: checked before any key is made or file written.
void refuse_to_overwrite(const std::vector<OutputFile>& files) {
    std::vector<std::string> present;
    for (const OutputFile& f : files) {
        if (exists(f.path)) present.push_back(fmt::format("'{}'", f.path));
    }
    if (present.empty()) return;
    throw Error(kUsage, fmt::format("{} already {}; pass --force to replace {}",
                                    fmt::join(present, ", "), present.size() == 1 ? "exists" : "exist",
                                    present.size() == 1 ? "it" : "them"));
}

void require_directory_or_nothing(const std::string& dir) {
    // An empty DIR would silently mean the current directory.
    if (dir.empty()) throw Error(kUsage, "DIR is empty; name a directory ('.' for this one)");
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) {
        throw Error(kUsage, fmt::format("'{}' exists and is not a directory", dir));
    }
}

// Like mkdir -p, but each directory made here gets exactly 0755, whatever the
// umask, so the certificate directory is readable as the README says.
void make_directories(const std::filesystem::path& dir) {
    std::filesystem::path partial;
    for (const auto& part : dir) {
        partial /= part;
        if (::mkdir(partial.c_str(), 0755) == 0) {
            ::chmod(partial.c_str(), 0755);
            continue;
        }
        const int err = errno;
        struct stat st {};
        const bool present = ::stat(partial.c_str(), &st) == 0;
        if (present && S_ISDIR(st.st_mode)) continue;
        // mkdir says EEXIST for a file in the way: name that file instead.
        if (present) {
            throw Error(kFailure, fmt::format("cannot create directory '{}': '{}' is not a directory (remove "
                                              "it or choose another DIR)", dir.string(), partial.string()));
        }
        throw Error(kFailure, fmt::format("cannot create directory '{}': {}", partial.string(),
                                          std::strerror(err)));
    }
}

void fill_contents(std::vector<OutputFile>& files, const PkiOptions& options) {
    const tls::Validity validity = tls::Validity::days(options.days);
    tls::Issued ca = tls::make_ca(options.key, kCaName, validity);
    std::vector<std::string> names{kLeafName, "127.0.0.1", "::1"};
    names.insert(names.end(), options.names.begin(), options.names.end());
    tls::Issued leaf = tls::issue_leaf(ca, options.key, kLeafName, names, validity, true, true);
    files[0].contents = tls::to_pem(ca.cert.get());
    files[1].contents = tls::to_pem(ca.key.get());
    files[2].contents = tls::to_pem(leaf.cert.get()) + tls::to_pem(leaf.key.get());
}

int run_pki(const PkiOptions& options) {
    std::vector<OutputFile> files = planned_files(options.dir);
    require_directory_or_nothing(options.dir);
    if (!options.force) refuse_to_overwrite(files);

    fill_contents(files, options);
    make_directories(options.dir);
    // All three are checked (a directory in the way), then staged, before the
    // first is renamed: a full disk or an unwritable directory changes none.
    util::write_files_atomically(files);
    std::string wrote;
    for (const OutputFile& f : files) wrote += fmt::format("wrote {}\n", f.path);
    print_out(wrote);
    return kOk;
}

// Each key type by the name --key takes.
std::vector<std::pair<std::string, tls::KeyType>> named_key_types() {
    std::vector<std::pair<std::string, tls::KeyType>> named;
    for (tls::KeyType type : tls::kKeyTypes) named.emplace_back(tls::key_type_name(type), type);
    return named;
}

// Stricter than CLI::Range, which reads numbers as strtoll(…, 0) does:
// "0x10" would be 16 days and "010" 8. The text is replaced by the decimal
// number it was read as, so CLI11's own conversion agrees.
CLI::Validator days_validator() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            int days = 0;
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), days);
            if (ec == std::errc{} && end == text.data() + text.size() && days >= 1 &&
                days <= kMaxDays) {
                text = std::to_string(days);
                return {};
            }
            return fmt::format("invalid number of days '{}'; valid: a whole number from 1 to {}",
                               text, kMaxDays);
        },
        "N");
}

CLI::Validator name_validator() {
    return CLI::Validator(
        [](std::string& name) -> std::string {
            if (tls::is_valid_san_name(name)) return {};
            return fmt::format("invalid name '{}'; valid: a host name (labels of letters, digits and "
                               "inner hyphens, not all-numeric at the end), a wildcard over the whole "
                               "leftmost label of a name with two or more labels (*.example.com), or "
                               "an IPv4 (dotted quad) or IPv6 address",
                               name);
        },
        "NAME");
}

}  // namespace

Runner setup_pki(CLI::App& sub) {
    auto options = std::make_shared<PkiOptions>();
    sub.add_option("DIR", options->dir,
                   "Directory for ca.crt, ca.key and localhost.pem (created if missing)")
        ->required();
    sub.add_option("--key", options->key,
                   fmt::format("Key type of the CA and the leaf: {} (default rsa-2048)",
                               tls::key_type_names()))
        ->transform(named_value("key type", "key types", named_key_types(), "TYPE"))
        ->type_name("TEXT");
    sub.add_option("--name", options->names,
                   "A further DNS name or IP address for the leaf (repeatable); localhost, "
                   "127.0.0.1 and ::1 are always there")
        ->check(name_validator());
    sub.add_option("--days", options->days,
                   fmt::format("Days both certificates stay valid: 1 to {} (default 365)",
                               kMaxDays))
        ->transform(days_validator());
    sub.add_flag("--force", options->force, "Replace ca.crt, ca.key and localhost.pem if present");
    return [options] { return run_pki(*options); };
}

}  // namespace sslfeatures::cli
