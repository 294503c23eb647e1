// The Mozilla profile verdicts against hand-built scans: a server set up as
// Mozilla's own generated configurations say complies; each kind of
// deviation is one sentence, once; what the scan did not test never counts;
// and a broken table is one line naming the file.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "scan/profiles.hpp"
#include "support/process.hpp"
#include "support/text.hpp"
#include "util/error.hpp"

namespace sslfeatures::testing {
namespace {

using scan::Answer;
using scan::ProfileVerdict;
using scan::ScanResult;

// The ssl_ciphers lines of the nginx configurations that Mozilla's generator
// (ssl-config.mozilla.org, guidelines 5.7) writes: an independent reading of
// the profiles, as admins deploy them, against which our table is held.
constexpr const char* kNginxIntermediateCiphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";
constexpr const char* kNginxOldCiphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:"
    "ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:"
    "DHE-RSA-AES128-SHA256:DHE-RSA-AES256-SHA256:AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:"
    "AES256-SHA256:AES128-SHA:AES256-SHA:DES-CBC3-SHA";
// Those configurations set no TLS 1.3 suites, so OpenSSL's defaults serve.
const std::vector<std::string> kOpenSslTls13Defaults = {"TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
                                                        "TLS_AES_128_GCM_SHA256"};
// nginx's ssl_ecdh_curve X25519:prime256v1:secp384r1, as a scan spells them.
const std::vector<std::string> kMozillaGroups = {"x25519", "secp256r1", "secp384r1"};

const scan::Profiles& table() {
    static const scan::Profiles profiles =
        scan::load_profiles(env_or_fail("SF_TEST_TABLES") + "/" + std::string(scan::kProfilesFile));
    return profiles;
}

const scan::Profile& profile(std::string_view name) {
    for (const scan::Profile& p : table().profiles) {
        if (p.name == name) return p;
    }
    throw std::runtime_error("no profile " + std::string(name));
}

ProfileVerdict judge(const ScanResult& s, std::string_view name) { return scan::judge(s, profile(name)); }

// The server answers yes for `accepted`, no for every other version.
void set_protocols(ScanResult& s, const std::vector<std::string>& accepted) {
    s.protocols.clear();
    for (const char* name : {"SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}) {
        const bool yes = std::find(accepted.begin(), accepted.end(), name) != accepted.end();
        s.protocols.push_back({name, {yes ? Answer::yes : Answer::no, ""}});
    }
}

scan::SuiteList suites(const std::string& protocol, const std::vector<std::string>& names, bool server_order) {
    scan::SuiteList list{protocol, {}, server_order};
    // TLS 1.3 suites carry the same name in OpenSSL and the registry; the
    // verdict reads only OpenSSL's name below TLS 1.3.
    for (const std::string& n : names) list.accepted.push_back({n, protocol == "TLSv1.3" ? n : ""});
    return list;
}

scan::CertificateResult certificate(const std::string& key, const std::string& signature, int days) {
    scan::CertificateResult c;
    c.key = key;
    c.subject = "CN=example.com";
    c.signature_algorithm = signature;
    c.lifetime_days = days;
    return c;
}

// Mozilla's nginx intermediate configuration on an RSA certificate, with
// a 2048-bit ssl_dhparam.
ScanResult intermediate_server() {
    ScanResult s;
    set_protocols(s, {"TLSv1.2", "TLSv1.3"});
    s.suites = {suites("TLSv1.3", kOpenSslTls13Defaults, false),
                suites("TLSv1.2", split(kNginxIntermediateCiphers, ':'), false)};
    s.groups = {{"TLSv1.3", kMozillaGroups, false, "x25519"}, {"TLSv1.2", kMozillaGroups, false, "x25519"}};
    s.dhe_bits = 2048;
    s.certificates = {certificate("rsa-2048", "sha256WithRSAEncryption", 90)};
    return s;
}

// The modern configuration: TLS 1.3 only, an ECDSA P-256 certificate.
ScanResult modern_server() {
    ScanResult s;
    set_protocols(s, {"TLSv1.3"});
    s.suites = {suites("TLSv1.3", kOpenSslTls13Defaults, false)};
    s.groups = {{"TLSv1.3", kMozillaGroups, false, "x25519"}};
    s.certificates = {certificate("ecdsa-p256", "ecdsa-with-SHA256", 90)};
    return s;
}

// The old configuration: TLS 1.0 up, the long list in the server's order,
// 1024-bit DHE, an RSA certificate for a year.
ScanResult old_server() {
    ScanResult s;
    set_protocols(s, {"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"});
    const std::vector<std::string> old = split(kNginxOldCiphers, ':');
    s.suites = {suites("TLSv1.3", kOpenSslTls13Defaults, true), suites("TLSv1.2", old, true),
                suites("TLSv1.1", old, true), suites("TLSv1", old, true)};
    s.groups = {{"TLSv1.3", kMozillaGroups, true, "x25519"}, {"TLSv1.2", kMozillaGroups, true, "x25519"}};
    s.dhe_bits = 1024;
    s.certificates = {certificate("rsa-2048", "sha256WithRSAEncryption", 366)};
    return s;
}

std::size_t count(const ProfileVerdict& v, const std::string& sentence) {
    return static_cast<std::size_t>(std::count(v.deviations.begin(), v.deviations.end(), sentence));
}

std::string listed(const ProfileVerdict& v) {
    std::string text;
    for (const std::string& d : v.deviations) text += "\n  " + d;
    return text;
}

// The one deviation a change to a compliant server must bring, alone.
void expect_only(const ScanResult& s, std::string_view name, const std::string& sentence) {
    const ProfileVerdict v = judge(s, name);
    EXPECT_FALSE(v.complies);
    EXPECT_EQ(v.deviations, std::vector<std::string>{sentence}) << listed(v);
}

// ---- the table ---------------------------------------------------------

TEST(ScanProfilesTable, IsGuidelines57WithThreeProfilesInOrder) {
    EXPECT_EQ(table().version, "5.7");
    EXPECT_EQ(table().source, "https://ssl-config.mozilla.org/guidelines/5.7.json");
    EXPECT_FALSE(table().retrieved_from.empty());
    ASSERT_EQ(table().profiles.size(), 3u);
    EXPECT_EQ(table().profiles[0].name, "modern");
    EXPECT_EQ(table().profiles[1].name, "intermediate");
    EXPECT_EQ(table().profiles[2].name, "old");
}

TEST(ScanProfilesTable, SuiteListsMatchMozillasNginxConfigurations) {
    EXPECT_EQ(profile("intermediate").ciphers, split(kNginxIntermediateCiphers, ':'));
    EXPECT_EQ(profile("old").ciphers, split(kNginxOldCiphers, ':'));
    EXPECT_TRUE(profile("modern").ciphers.empty());
}

TEST(ScanProfilesTable, KeepsTheProfilesLimits) {
    EXPECT_EQ(profile("modern").tls_versions, std::vector<std::string>{"TLSv1.3"});
    EXPECT_EQ(profile("modern").maximum_certificate_lifespan, 90);
    EXPECT_FALSE(profile("modern").rsa_key_size.has_value());
    EXPECT_FALSE(profile("modern").dh_param_size.has_value());
    EXPECT_EQ(profile("intermediate").rsa_key_size, 2048);
    EXPECT_EQ(profile("intermediate").dh_param_size, 2048);
    EXPECT_EQ(profile("intermediate").maximum_certificate_lifespan, 366);
    EXPECT_EQ(profile("old").dh_param_size, 1024);
    EXPECT_TRUE(profile("old").server_preferred_order);
    EXPECT_FALSE(profile("intermediate").server_preferred_order);
    EXPECT_EQ(profile("old").hsts_min_age, 63072000);
}

TEST(ScanProfilesTable, SourceLineNamesVersionAndUrl) {
    EXPECT_EQ(scan::profiles_source(table()),
              "Mozilla server-side TLS guidelines 5.7 (https://ssl-config.mozilla.org/guidelines/5.7.json)");
}

// ---- compliant servers -------------------------------------------------

TEST(ScanProfilesComplies, IntermediateServerFromMozillasNginxConfig) {
    const ProfileVerdict v = judge(intermediate_server(), "intermediate");
    EXPECT_TRUE(v.complies) << listed(v);
    EXPECT_EQ(v.profile, "intermediate");
}

TEST(ScanProfilesComplies, ModernServer) {
    const ProfileVerdict v = judge(modern_server(), "modern");
    EXPECT_TRUE(v.complies) << listed(v);
}

TEST(ScanProfilesComplies, OldServerFromMozillasNginxConfig) {
    const ProfileVerdict v = judge(old_server(), "old");
    EXPECT_TRUE(v.complies) << listed(v);
}

TEST(ScanProfilesComplies, AModernServerAlsoMeetsIntermediateButAnIntermediateOneNotModern) {
    EXPECT_TRUE(judge(modern_server(), "intermediate").complies) << listed(judge(modern_server(), "intermediate"));
    EXPECT_FALSE(judge(intermediate_server(), "modern").complies);
}

TEST(ScanProfilesComplies, JudgesEveryProfileInTableOrder) {
    const std::vector<ProfileVerdict> all = scan::judge(intermediate_server(), table());
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].profile, "modern");
    EXPECT_FALSE(all[0].complies);
    EXPECT_TRUE(all[1].complies);
}

TEST(ScanProfilesComplies, GroupsInOpenSsl111SpellingCount) {
    ScanResult s = modern_server();
    s.groups = {{"TLSv1.3", {"X25519", "prime256v1", "secp384r1"}, false, {}}};
    EXPECT_TRUE(judge(s, "modern").complies) << listed(judge(s, "modern"));
}

TEST(ScanProfilesComplies, ModernServerMayKeepAnRsaCertificateBesideItsEcdsaOne) {
    ScanResult s = modern_server();
    s.certificates.push_back(certificate("rsa-2048", "sha256WithRSAEncryption", 90));
    EXPECT_TRUE(judge(s, "modern").complies) << listed(judge(s, "modern"));
}

TEST(ScanProfilesComplies, ServerOrderWhereTheProfileLeavesItToTheClientIsNoDeviation) {
    ScanResult s = intermediate_server();
    for (scan::SuiteList& list : s.suites) list.server_order = true;
    EXPECT_TRUE(judge(s, "intermediate").complies) << listed(judge(s, "intermediate"));
}

// ---- each kind of deviation, once --------------------------------------

TEST(ScanProfilesDeviation, VersionTheProfileDoesNotAllow) {
    ScanResult s = intermediate_server();
    set_protocols(s, {"TLSv1.1", "TLSv1.2", "TLSv1.3"});
    s.suites.push_back(suites("TLSv1.1", {"ECDHE-RSA-AES128-SHA"}, false));
    // The version is the deviation; its suites are not listed again.
    expect_only(s, "intermediate", "accepts TLSv1.1, which the intermediate profile does not allow");
}

TEST(ScanProfilesDeviation, TheOnlyVersionTheProfileAllowsIsRefused) {
    ScanResult s = modern_server();
    set_protocols(s, {"TLSv1.2"});
    s.suites = {};
    s.groups = {};
    const ProfileVerdict v = judge(s, "modern");
    EXPECT_EQ(count(v, "does not accept TLSv1.3, which the modern profile requires"), 1u) << listed(v);
    EXPECT_EQ(count(v, "accepts TLSv1.2, which the modern profile does not allow"), 1u) << listed(v);
    EXPECT_EQ(v.deviations.size(), 2u) << listed(v);
}

TEST(ScanProfilesDeviation, SuiteOutsideTheProfile) {
    ScanResult s = intermediate_server();
    s.suites[1].accepted.push_back({"ECDHE-RSA-AES128-SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"});
    expect_only(s, "intermediate", "accepts suite ECDHE-RSA-AES128-SHA (TLSv1.2) outside the intermediate profile");
}

TEST(ScanProfilesDeviation, SuiteUnderSeveralVersionsIsOneSentence) {
    ScanResult s = old_server();
    for (scan::SuiteList& list : s.suites) {
        if (list.protocol != "TLSv1.3") list.accepted.push_back({"DHE-RSA-AES128-SHA", ""});
    }
    expect_only(s, "old", "accepts suite DHE-RSA-AES128-SHA (TLSv1.2, TLSv1.1, TLSv1) outside the old profile");
}

TEST(ScanProfilesDeviation, Tls13SuiteOutsideTheProfile) {
    ScanResult s = modern_server();
    s.suites[0].accepted.push_back({"TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_SHA256"});
    expect_only(s, "modern", "accepts suite TLS_AES_128_CCM_SHA256 (TLSv1.3) outside the modern profile");
}

TEST(ScanProfilesDeviation, GroupOutsideTheProfileOnceAcrossVersions) {
    ScanResult s = intermediate_server();
    for (scan::GroupList& list : s.groups) list.accepted.push_back("secp521r1");
    expect_only(s, "intermediate", "accepts group secp521r1 outside the intermediate profile");
}

TEST(ScanProfilesDeviation, HybridGroupIsOutsideGuidelines57) {
    ScanResult s = modern_server();
    s.groups[0].accepted.insert(s.groups[0].accepted.begin(), "X25519MLKEM768");
    expect_only(s, "modern", "accepts group X25519MLKEM768 outside the modern profile");
}

TEST(ScanProfilesDeviation, CertificateKeyTypeOutsideTheProfile) {
    ScanResult s = modern_server();
    s.certificates = {certificate("rsa-2048", "ecdsa-with-SHA256", 90)};
    expect_only(s, "modern",
                "certificate rsa-2048 (CN=example.com): key type rsa is not among the modern profile's "
                "certificate types (ecdsa)");
}

TEST(ScanProfilesDeviation, RsaKeyBelowTheProfilesSize) {
    ScanResult s = intermediate_server();
    s.certificates = {certificate("rsa-1024", "sha256WithRSAEncryption", 90)};
    expect_only(s, "intermediate",
                "certificate rsa-1024 (CN=example.com): its 1024-bit RSA key is below the intermediate profile's "
                "minimum of 2048 bits");
}

TEST(ScanProfilesDeviation, CertificateCurveOutsideTheProfile) {
    ScanResult s = intermediate_server();
    s.certificates = {certificate("ecdsa-p521", "ecdsa-with-SHA512", 90)};
    expect_only(s, "intermediate",
                "certificate ecdsa-p521 (CN=example.com): curve secp521r1 is not among the intermediate profile's "
                "certificate curves (prime256v1, secp384r1)");
}

TEST(ScanProfilesDeviation, CertificateSignatureOutsideTheProfile) {
    ScanResult s = intermediate_server();
    s.certificates = {certificate("rsa-2048", "sha1WithRSAEncryption", 90)};
    expect_only(s, "intermediate",
                "certificate rsa-2048 (CN=example.com): signature algorithm sha1WithRSAEncryption is not among the "
                "intermediate profile's certificate signatures (sha256WithRSAEncryption, ecdsa-with-SHA256, "
                "ecdsa-with-SHA384, ecdsa-with-SHA512)");
}

TEST(ScanProfilesDeviation, CertificateLifetimeAboveTheProfilesMaximum) {
    ScanResult s = modern_server();
    s.certificates[0].lifetime_days = 91;
    expect_only(s, "modern",
                "certificate ecdsa-p256 (CN=example.com): its lifetime of 91 days is above the modern profile's "
                "maximum of 90 days");
}

TEST(ScanProfilesDeviation, LifetimeAtTheMaximumIsAllowed) {
    ScanResult s = intermediate_server();
    s.certificates[0].lifetime_days = 366;
    EXPECT_TRUE(judge(s, "intermediate").complies);
}

TEST(ScanProfilesDeviation, DheParametersBelowTheProfilesSize) {
    ScanResult s = intermediate_server();
    s.dhe_bits = 1024;
    expect_only(s, "intermediate",
                "uses 1024-bit DHE parameters, below the intermediate profile's minimum of 2048 bits");
}

TEST(ScanProfilesDeviation, ClientOrderWhereTheProfileWantsTheServers) {
    ScanResult s = old_server();
    s.suites[1].server_order = false;  // TLSv1.2
    s.suites[3].server_order = false;  // TLSv1
    expect_only(s, "old",
                "lets the client's order choose the suite under TLSv1.2, TLSv1; the old profile requires the "
                "server's order");
}

// ---- what the scan did not test ----------------------------------------

TEST(ScanProfilesNotTested, AVersionNotTestedIsNeitherAcceptedNorRefused) {
    ScanResult s = modern_server();
    for (scan::ProtocolResult& p : s.protocols) p.accepted = {Answer::not_tested, "library lacks it"};
    s.suites = {};
    s.groups = {};
    EXPECT_TRUE(judge(s, "modern").complies) << listed(judge(s, "modern"));
}

TEST(ScanProfilesNotTested, OldVersionsTheLibraryCannotOfferDoNotCount) {
    ScanResult s = intermediate_server();
    s.protocols[0].accepted = {Answer::not_tested, "library lacks SSLv3"};
    s.protocols[1].accepted = {Answer::not_tested, "library lacks TLSv1"};
    s.protocols[4].accepted = {Answer::not_tested, "library lacks TLSv1.3"};
    s.suites.erase(s.suites.begin());
    s.groups.erase(s.groups.begin());
    EXPECT_TRUE(judge(s, "intermediate").complies) << listed(judge(s, "intermediate"));
}

TEST(ScanProfilesNotTested, CertificateFactsTheScanDidNotReadDoNotCount) {
    ScanResult s = modern_server();
    s.certificates[0].signature_algorithm = "";
    s.certificates[0].lifetime_days = 0;
    EXPECT_TRUE(judge(s, "modern").complies) << listed(judge(s, "modern"));
}

TEST(ScanProfilesNotTested, UnknownServerOrderAndNoDheDoNotCount) {
    ScanResult s = old_server();
    for (scan::SuiteList& list : s.suites) list.server_order = std::nullopt;
    s.dhe_bits = std::nullopt;
    EXPECT_TRUE(judge(s, "old").complies) << listed(judge(s, "old"));
}

TEST(ScanProfilesNotTested, AnEmptyScanDeviatesFromNothing) {
    for (const scan::Profile& p : table().profiles) {
        EXPECT_TRUE(scan::judge(ScanResult{}, p).complies) << p.name;
    }
}

// ---- a broken table ------------------------------------------------------

// The Error a load throws, or a failed test when none.
Error load_error(const std::string& path) {
    try {
        scan::load_profiles(path);
    } catch (const Error& e) {
        return e;
    }
    ADD_FAILURE() << path << " loaded";
    return Error(kOk, "");
}

void expect_one_line(const Error& e, ExitCode code, const std::string& path, const std::string& mention) {
    EXPECT_EQ(e.code(), code) << e.what();
    const std::string message = e.what();
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_EQ(message.rfind(path + ": ", 0), 0u) << message;
    EXPECT_NE(message.find(mention), std::string::npos) << message;
}

std::string table_text() { return read_file(env_or_fail("SF_TEST_TABLES") + "/" + std::string(scan::kProfilesFile)); }

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const std::size_t at = text.find(from);
    if (at == std::string::npos) throw std::runtime_error("no " + from + " in the table");
    return text.replace(at, from.size(), to);
}

TEST(ScanProfilesBrokenTable, AMissingFileIsAnEnvironmentFailure) {
    const TempDir dir;
    const std::string path = dir.path() + "/mozilla-server-side-tls.json";
    expect_one_line(load_error(path), kFailure, path, "No such file or directory");
}

TEST(ScanProfilesBrokenTable, InvalidJsonIsAnInputError) {
    const TempDir dir;
    const std::string path = dir.path() + "/mozilla-server-side-tls.json";
    write_file(path, table_text().substr(0, 200));
    expect_one_line(load_error(path), kUsage, path, "not valid JSON");
}

TEST(ScanProfilesBrokenTable, AMissingProfileIsNamed) {
    const TempDir dir;
    const std::string path = dir.path() + "/mozilla-server-side-tls.json";
    write_file(path, replaced(table_text(), "\"old\":", "\"ancient\":"));
    expect_one_line(load_error(path), kUsage, path, "profiles: the key \"old\" is missing");
}

TEST(ScanProfilesBrokenTable, AWrongValueIsNamedByItsPath) {
    const TempDir dir;
    const std::string path = dir.path() + "/mozilla-server-side-tls.json";
    write_file(path, replaced(table_text(), "\"rsa_key_size\": 2048", "\"rsa_key_size\": \"2048\""));
    expect_one_line(load_error(path), kUsage, path, "profiles.intermediate.rsa_key_size: expected a whole number");
}

TEST(ScanProfilesBrokenTable, TheDefaultLoadReadsTheTablesDirectory) {
    const TempDir dir;
    const std::string path = dir.path() + "/mozilla-server-side-tls.json";
    write_file(path, "[]");
    ASSERT_EQ(::setenv("SSLFEATURES_TABLES", dir.path().c_str(), 1), 0);
    try {
        scan::load_profiles();
        ADD_FAILURE() << "loaded";
    } catch (const Error& e) {
        expect_one_line(e, kUsage, path, "expected a JSON object");
    }
    ::unsetenv("SSLFEATURES_TABLES");
}

}  // namespace
}  // namespace sslfeatures::testing
