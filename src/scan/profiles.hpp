// Mozilla's server-side TLS guidelines (modern, intermediate, old) kept as
// data in tables/mozilla-server-side-tls.json, and how a scanned server
// stands against each profile: complies, or one sentence per deviation that
// a server admin can act on.
//
// Only what the scan saw counts: a fact it did not test (Answer::not_tested,
// a missing list) is never a deviation.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scan/scan.hpp"

namespace sslfeatures::scan {

// One profile, in Mozilla's own vocabulary: "TLSv1.2", OpenSSL suite names
// for TLS 1.2 and older, IANA names for TLS 1.3, curve names as OpenSSL's
// objects spell them ("X25519", "prime256v1"), signature algorithms as
// OpenSSL's long names ("sha256WithRSAEncryption", "ecdsa-with-SHA256").
struct Profile {
    std::string name;  // "modern", "intermediate", "old"
    std::vector<std::string> tls_versions;
    std::vector<std::string> ciphersuites;  // TLS 1.3
    std::vector<std::string> ciphers;       // TLS 1.2 and older
    std::vector<std::string> tls_curves;
    std::vector<std::string> certificate_types;  // "ecdsa", "rsa"
    std::vector<std::string> certificate_curves;
    std::vector<std::string> certificate_signatures;
    std::optional<int> rsa_key_size;  // bits; nullopt: no minimum
    std::optional<int> dh_param_size;  // bits; nullopt: no finite-field DH at all
    std::optional<int> ecdh_param_size;
    bool server_preferred_order = false;
    int maximum_certificate_lifespan = 0;  // days
    bool ocsp_staple = false;
    std::optional<int> hsts_min_age;  // seconds
};

struct Profiles {
    std::string version;         // "5.7"
    std::string source;          // the guidelines' own URL
    std::string retrieved_from;  // where our copy of the values was taken from
    std::vector<Profile> profiles;  // modern, intermediate, old
};

// The table's file name in tables/.
inline constexpr std::string_view kProfilesFile = "mozilla-server-side-tls.json";

// Reads tables/mozilla-server-side-tls.json from audit::tables_dir().
// Throws Error: kFailure (3) when the file cannot be read, kUsage (2) when
// it is not a profiles table; one line naming the file either way.
Profiles load_profiles();
Profiles load_profiles(const std::string& path);
// `name` is the file the text came from, for the error line.
Profiles parse_profiles(std::string_view text, const std::string& name);

// "Mozilla server-side TLS guidelines 5.7 (https://ssl-config.mozilla.org/guidelines/5.7.json)"
std::string profiles_source(const Profiles& profiles);

ProfileVerdict judge(const ScanResult& scan, const Profile& profile);
// One verdict per profile, in the table's order.
std::vector<ProfileVerdict> judge(const ScanResult& scan, const Profiles& profiles);

}  // namespace sslfeatures::scan
