#include "scan/profiles.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "audit/sources.hpp"
#include "reflect/groups.hpp"
#include "util/error.hpp"

namespace sslfeatures::scan {
namespace {

using Json = nlohmann::json;

// The verdicts come out in this order, whatever order the file keeps.
constexpr std::array<std::string_view, 3> kProfileNames = {"modern", "intermediate", "old"};

// A table bigger than this is not ours (ours is about 4 KiB).
constexpr std::size_t kMaxTableBytes = 1u << 20;

// ---- loading -------------------------------------------------------------

[[noreturn]] void not_a_table(const std::string& file, std::string_view why) {
    throw Error(kUsage, fmt::format("{}: not a Mozilla profiles table: {}", file, why));
}

// A std::FILE rather than a stream: fopen keeps errno, and "No such file or
// directory" is what the user needs to hear.
std::string read_table(const std::string& path) {
    const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!file) {
        throw Error(kFailure, fmt::format("{}: cannot read the Mozilla profiles table: {} (reinstall sslfeatures, "
                                          "or set SSLFEATURES_TABLES to a directory that holds {})",
                                          path, std::strerror(errno), kProfilesFile));
    }
    std::string text;
    char buffer[1 << 14];
    while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, file.get())) {
        text.append(buffer, n);
        if (text.size() > kMaxTableBytes) not_a_table(path, "larger than 1 MiB");
    }
    if (std::ferror(file.get())) {
        throw Error(kFailure, fmt::format("{}: cannot read the Mozilla profiles table: read error", path));
    }
    return text;
}

// Reads typed members and names the one that is wrong: "profiles.old.ciphers".
class TableReader {
  public:
    explicit TableReader(const std::string& file) : file_(file) {}

    const Json& member(const Json& object, std::string_view key, const std::string& where) const {
        const auto it = object.find(key);
        if (it == object.end()) fail(where, fmt::format("the key \"{}\" is missing", key));
        return *it;
    }

    std::string text(const Json& object, std::string_view key, const std::string& where) const {
        const Json& value = member(object, key, where);
        if (!value.is_string()) fail(path(where, key), "expected a string");
        return value.get<std::string>();
    }

    std::vector<std::string> strings(const Json& object, std::string_view key, const std::string& where) const {
        const Json& value = member(object, key, where);
        const bool all_strings =
            value.is_array() && std::all_of(value.begin(), value.end(), [](const Json& v) { return v.is_string(); });
        if (!all_strings) fail(path(where, key), "expected a list of strings");
        return value.get<std::vector<std::string>>();
    }

    // Present and null means "no such requirement" (Mozilla's own null).
    std::optional<int> optional_int(const Json& object, std::string_view key, const std::string& where) const {
        const Json& value = member(object, key, where);
        if (value.is_null()) return std::nullopt;
        return integer(value, path(where, key));
    }

    int integer(const Json& object, std::string_view key, const std::string& where) const {
        return integer(member(object, key, where), path(where, key));
    }

    bool boolean(const Json& object, std::string_view key, const std::string& where) const {
        const Json& value = member(object, key, where);
        if (!value.is_boolean()) fail(path(where, key), "expected true or false");
        return value.get<bool>();
    }

    [[noreturn]] void fail(const std::string& where, std::string_view why) const {
        not_a_table(file_, where.empty() ? std::string(why) : fmt::format("{}: {}", where, why));
    }

  private:
    static std::string path(const std::string& where, std::string_view key) {
        return where.empty() ? std::string(key) : fmt::format("{}.{}", where, key);
    }

    int integer(const Json& value, const std::string& where) const {
        if (!value.is_number_integer() || value.get<long long>() < 0 || value.get<long long>() > 1'000'000'000) {
            fail(where, "expected a whole number");
        }
        return value.get<int>();
    }

    const std::string& file_;
};

Profile read_profile(const TableReader& in, const Json& object, std::string_view name) {
    const std::string where = fmt::format("profiles.{}", name);
    if (!object.is_object()) in.fail(where, "expected an object");
    Profile p;
    p.name = std::string(name);
    p.tls_versions = in.strings(object, "tls_versions", where);
    p.ciphersuites = in.strings(object, "ciphersuites", where);
    p.ciphers = in.strings(object, "ciphers", where);
    p.tls_curves = in.strings(object, "tls_curves", where);
    p.certificate_types = in.strings(object, "certificate_types", where);
    p.certificate_curves = in.strings(object, "certificate_curves", where);
    p.certificate_signatures = in.strings(object, "certificate_signatures", where);
    p.rsa_key_size = in.optional_int(object, "rsa_key_size", where);
    p.dh_param_size = in.optional_int(object, "dh_param_size", where);
    p.ecdh_param_size = in.optional_int(object, "ecdh_param_size", where);
    p.server_preferred_order = in.boolean(object, "server_preferred_order", where);
    p.maximum_certificate_lifespan = in.integer(object, "maximum_certificate_lifespan", where);
    p.ocsp_staple = in.boolean(object, "ocsp_staple", where);
    // The only key the guidelines may leave out (HSTS is an HTTP matter).
    if (object.contains("hsts_min_age")) p.hsts_min_age = in.optional_int(object, "hsts_min_age", where);
    return p;
}

// ---- judging -------------------------------------------------------------

bool contains(const std::vector<std::string>& list, std::string_view item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

bool allows_version(const Profile& p, std::string_view protocol) { return contains(p.tls_versions, protocol); }

const ProtocolResult* find_protocol(const ScanResult& scan, std::string_view name) {
    for (const ProtocolResult& r : scan.protocols) {
        if (r.name == name) return &r;
    }
    return nullptr;
}

// The profile's versions are an allow list, as sslyze's checker reads them:
// every accepted version outside it is a deviation. A server that accepts
// none of them fails the profile too; "none" needs each of them to have been
// tried and refused, so a version the scan did not test leaves it unsaid.
void judge_versions(const ScanResult& scan, const Profile& p, std::vector<std::string>& out) {
    for (const ProtocolResult& r : scan.protocols) {
        if (r.accepted.answer == Answer::yes && !allows_version(p, r.name)) {
            out.push_back(fmt::format("accepts {}, which the {} profile does not allow", r.name, p.name));
        }
    }
    if (p.tls_versions.empty()) return;
    const bool all_refused = std::all_of(p.tls_versions.begin(), p.tls_versions.end(), [&](const std::string& v) {
        const ProtocolResult* r = find_protocol(scan, v);
        return r != nullptr && r->accepted.answer == Answer::no;
    });
    if (!all_refused) return;
    if (p.tls_versions.size() == 1) {
        out.push_back(fmt::format("does not accept {}, which the {} profile requires", p.tls_versions[0], p.name));
    } else {
        out.push_back(fmt::format("accepts none of {}, one of which the {} profile requires",
                                  fmt::join(p.tls_versions, ", "), p.name));
    }
}

bool suite_in_profile(const Profile& p, const std::string& protocol, const Suite& suite) {
    if (protocol == "TLSv1.3") return contains(p.ciphersuites, suite.iana.empty() ? suite.name : suite.iana);
    return contains(p.ciphers, suite.name);
}

// Suites are judged only under the versions the profile allows: under any
// other the version is the deviation, and turning it off removes its suites.
// Each suite is one sentence, naming every version that takes it.
void judge_suites(const ScanResult& scan, const Profile& p, std::vector<std::string>& out) {
    std::vector<std::string> order;
    std::map<std::string, std::vector<std::string>> versions;
    for (const SuiteList& list : scan.suites) {
        if (!allows_version(p, list.protocol)) continue;
        for (const Suite& suite : list.accepted) {
            if (suite_in_profile(p, list.protocol, suite)) continue;
            if (!versions.contains(suite.name)) order.push_back(suite.name);
            versions[suite.name].push_back(list.protocol);
        }
    }
    for (const std::string& name : order) {
        out.push_back(fmt::format("accepts suite {} ({}) outside the {} profile", name, fmt::join(versions[name], ", "),
                                  p.name));
    }
}

// Mozilla names curves as OpenSSL's objects do ("X25519", "prime256v1"); the
// scan as TLS does ("x25519", "secp256r1"). Compare in the TLS spelling.
std::vector<std::string> tls_spelling(const std::vector<std::string>& names) {
    std::vector<std::string> spelled;
    for (const std::string& name : names) spelled.push_back(reflect::tls_group_spelling(name));
    return spelled;
}

// Mozilla's configurations set the server's group list to exactly
// tls_curves (nginx's ssl_ecdh_curve, which OpenSSL applies to TLS 1.3's
// groups too), and sslyze's 5.7 checker rejects any other curve, so every
// other accepted group is a deviation: secp521r1, an ffdhe group, and also
// X25519MLKEM768, which guidelines 5.7 (2023) predate.
void judge_groups(const ScanResult& scan, const Profile& p, std::vector<std::string>& out) {
    const std::vector<std::string> allowed = tls_spelling(p.tls_curves);
    std::set<std::string> reported;
    for (const GroupList& list : scan.groups) {
        if (!allows_version(p, list.protocol)) continue;
        for (const std::string& group : list.accepted) {
            const std::string name = reflect::tls_group_spelling(group);
            if (contains(allowed, name) || !reported.insert(name).second) continue;
            out.push_back(fmt::format("accepts group {} outside the {} profile", group, p.name));
        }
    }
}

// A profile without dh_param_size allows no DHE suite at all, which the
// suite check already reports.
void judge_dhe(const ScanResult& scan, const Profile& p, std::vector<std::string>& out) {
    if (!scan.dhe_bits || !p.dh_param_size || *scan.dhe_bits >= *p.dh_param_size) return;
    out.push_back(fmt::format("uses {}-bit DHE parameters, below the {} profile's minimum of {} bits", *scan.dhe_bits,
                              p.name, *p.dh_param_size));
}

// Only a profile that wants the server's order can be missed: old lists CBC,
// 3DES and RSA key exchange suites, and the server's order keeps clients that
// could do better off them. Modern and intermediate leave the choice to the
// client (every suite they allow is strong, and a phone without AES hardware
// picks ChaCha20), so a server that imposes an order there weakens nothing;
// sslyze's checker does not judge order at all. TLS 1.3 is left out: every
// profile's TLS 1.3 suites are equally strong AEADs.
void judge_server_order(const ScanResult& scan, const Profile& p, std::vector<std::string>& out) {
    if (!p.server_preferred_order) return;
    std::vector<std::string> client_decides;
    for (const SuiteList& list : scan.suites) {
        if (list.protocol == "TLSv1.3" || !allows_version(p, list.protocol)) continue;
        if (list.server_order == false) client_decides.push_back(list.protocol);
    }
    if (client_decides.empty()) return;
    out.push_back(fmt::format("lets the client's order choose the suite under {}; the {} profile requires the "
                              "server's order",
                              fmt::join(client_decides, ", "), p.name));
}

// "rsa-2048" -> rsa, 2048 bits; "ecdsa-p256" -> ecdsa on prime256v1;
// "rsa-pss-3072" -> rsa-pss; "ed25519" -> ed25519 (tls::key_name's spelling).
struct CertificateKey {
    std::string type;
    std::optional<int> bits;
    std::string curve;  // Mozilla's spelling
};

std::string mozilla_curve(std::string_view curve) {
    if (curve == "p256") return "prime256v1";
    if (curve == "p384") return "secp384r1";
    if (curve == "p521") return "secp521r1";
    return std::string(curve);
}

CertificateKey parse_key(std::string_view key) {
    if (key.starts_with("ecdsa-")) return {"ecdsa", std::nullopt, mozilla_curve(key.substr(6))};
    const std::size_t dash = key.rfind('-');
    const std::string_view tail = dash == std::string_view::npos ? std::string_view{} : key.substr(dash + 1);
    const bool sized = !tail.empty() && tail.size() < 7 &&
                       std::all_of(tail.begin(), tail.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!sized) return {std::string(key), std::nullopt, {}};
    return {std::string(key.substr(0, dash)), std::stoi(std::string(tail)), {}};
}

std::string certificate_id(const CertificateResult& c) {
    return c.subject.empty() ? c.key : fmt::format("{} ({})", c.key, c.subject);
}

// Size, curve and lifetime hold for every certificate the server presents.
void judge_certificate(const CertificateResult& c, const Profile& p, std::vector<std::string>& out) {
    const CertificateKey key = parse_key(c.key);
    const std::string id = certificate_id(c);
    if (key.type == "rsa" && key.bits && p.rsa_key_size && *key.bits < *p.rsa_key_size) {
        out.push_back(fmt::format("certificate {}: its {}-bit RSA key is below the {} profile's minimum of {} bits",
                                  id, *key.bits, p.name, *p.rsa_key_size));
    }
    if (key.type == "ecdsa" && !contains(p.certificate_curves, key.curve)) {
        out.push_back(fmt::format("certificate {}: curve {} is not among the {} profile's certificate curves ({})", id,
                                  key.curve, p.name, fmt::join(p.certificate_curves, ", ")));
    }
    if (c.lifetime_days > p.maximum_certificate_lifespan) {
        out.push_back(fmt::format("certificate {}: its lifetime of {} days is above the {} profile's maximum of {} "
                                  "days",
                                  id, c.lifetime_days, p.name, p.maximum_certificate_lifespan));
    }
}

// Key type and signature algorithm are judged as sslyze's checker does: a
// server with several certificates complies when one of them has an allowed
// type (or signature), since each client is served one it can use; a modern
// server may keep an RSA certificate beside its ECDSA one for old clients.
void judge_key_types(const ScanResult& scan, const Profile& p, std::vector<std::string>& out) {
    const auto allowed = [&](const CertificateResult& c) {
        return contains(p.certificate_types, parse_key(c.key).type);
    };
    if (scan.certificates.empty() || std::any_of(scan.certificates.begin(), scan.certificates.end(), allowed)) return;
    for (const CertificateResult& c : scan.certificates) {
        out.push_back(fmt::format("certificate {}: key type {} is not among the {} profile's certificate types ({})",
                                  certificate_id(c), parse_key(c.key).type, p.name,
                                  fmt::join(p.certificate_types, ", ")));
    }
}

void judge_signatures(const ScanResult& scan, const Profile& p, std::vector<std::string>& out) {
    std::vector<const CertificateResult*> known;  // a certificate whose signature the scan read
    for (const CertificateResult& c : scan.certificates) {
        if (!c.signature_algorithm.empty()) known.push_back(&c);
    }
    const auto allowed = [&](const CertificateResult* c) {
        return contains(p.certificate_signatures, c->signature_algorithm);
    };
    if (known.empty() || std::any_of(known.begin(), known.end(), allowed)) return;
    for (const CertificateResult* c : known) {
        out.push_back(fmt::format("certificate {}: signature algorithm {} is not among the {} profile's certificate "
                                  "signatures ({})",
                                  certificate_id(*c), c->signature_algorithm, p.name,
                                  fmt::join(p.certificate_signatures, ", ")));
    }
}

void judge_certificates(const ScanResult& scan, const Profile& p, std::vector<std::string>& out) {
    judge_key_types(scan, p, out);
    for (const CertificateResult& c : scan.certificates) judge_certificate(c, p, out);
    judge_signatures(scan, p, out);
}

}  // namespace

Profiles parse_profiles(std::string_view text, const std::string& name) {
    Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) not_a_table(name, "not valid JSON");
    const TableReader in(name);
    if (!doc.is_object()) in.fail("", "expected a JSON object");
    Profiles profiles;
    profiles.version = in.text(doc, "version", "");
    profiles.source = in.text(doc, "source", "");
    profiles.retrieved_from = in.text(doc, "retrieved_from", "");
    const Json& all = in.member(doc, "profiles", "");
    if (!all.is_object()) in.fail("profiles", "expected an object");
    for (const std::string_view profile : kProfileNames) {
        profiles.profiles.push_back(read_profile(in, in.member(all, profile, "profiles"), profile));
    }
    return profiles;
}

Profiles load_profiles(const std::string& path) { return parse_profiles(read_table(path), path); }

Profiles load_profiles() {
    return load_profiles((std::filesystem::path(audit::tables_dir()) / kProfilesFile).string());
}

std::string profiles_source(const Profiles& profiles) {
    return fmt::format("Mozilla server-side TLS guidelines {} ({})", profiles.version, profiles.source);
}

// What the guidelines hold that a TLS scan cannot judge is left out:
// hsts_min_age is an HTTP header; ocsp_staple is a recommendation that
// Mozilla's generator offers as an option (sslyze leaves it out too); and
// ecdh_param_size (256) is met by every curve tls_curves allows.
ProfileVerdict judge(const ScanResult& scan, const Profile& profile) {
    ProfileVerdict verdict;
    verdict.profile = profile.name;
    judge_versions(scan, profile, verdict.deviations);
    judge_suites(scan, profile, verdict.deviations);
    judge_server_order(scan, profile, verdict.deviations);
    judge_groups(scan, profile, verdict.deviations);
    judge_dhe(scan, profile, verdict.deviations);
    judge_certificates(scan, profile, verdict.deviations);
    verdict.complies = verdict.deviations.empty();
    return verdict;
}

std::vector<ProfileVerdict> judge(const ScanResult& scan, const Profiles& profiles) {
    std::vector<ProfileVerdict> verdicts;
    for (const Profile& profile : profiles.profiles) verdicts.push_back(judge(scan, profile));
    return verdicts;
}

}  // namespace sslfeatures::scan
