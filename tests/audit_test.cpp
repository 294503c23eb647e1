// `sslfeatures snapshot` and `sslfeatures diff`, judged by paths of their own:
// the macros of the headers this test compiles with, the running library's
// version functions, the openssl command, and the reference tables read with
// the test's own JSON code.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <nlohmann/json.hpp>

#include "support/expect.hpp"
#include "support/openssl_cli.hpp"
#include "support/process.hpp"
#include "support/tool_json.hpp"

namespace sslfeatures::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string table_path(const std::string& name) {
    return (fs::path(env_or_fail("SF_TEST_TABLES")) / (name + ".json")).string();
}

// The reference tables as version 1 wrote them (OpenSSL's signature names),
// kept in tests/data so the reader of old snapshots stays tested.
std::string v1_table_path(const std::string& name) {
    return (fs::path(env_or_fail("SF_TEST_V1_TABLES")) / (name + ".json")).string();
}

json read_json(const std::string& path) { return json::parse(read_file(path)); }

// `sslfeatures diff OLD NEW --format json`, its exit code checked.
json diff_json(const std::string& old_side, const std::string& new_side, int expected_exit,
               std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"diff", old_side, new_side, "--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    Result r = run_tool(args);
    EXPECT_EQ(r.exit_code, expected_exit) << old_side << " -> " << new_side << ": " << r.err << r.out.substr(0, 2000);
    EXPECT_EQ(r.err, "");
    return json::parse(r.out);
}

const json* find_change(const json& diff, const std::string& section, const std::string& name) {
    for (const auto& s : diff.at("sections")) {
        if (s.at("id") != section) continue;
        for (const auto& c : s.at("changes")) {
            if (c.at("name") == name) return &c;
            // "client.groups": a change of the defaults names its sides
            // apart from its field.
            for (const auto& side : c.value("sides", json::array())) {
                if (side.get<std::string>() + "." + c.at("name").get<std::string>() == name) return &c;
            }
        }
    }
    return nullptr;
}

std::uint64_t constant(const json& snapshot, const std::string& category, const std::string& name) {
    return snapshot.at("constants").at(category).at("values").at(name).get<std::uint64_t>();
}

// "OpenSSL 3.0.22 25 Aug 2026" -> "3.0.22"
std::string exact_version(const std::string& version_text) {
    std::smatch m;
    const std::regex pattern(R"(OpenSSL (\d+\.\d+\.\d+[a-z]?))");
    return std::regex_search(version_text, m, pattern) ? m[1].str() : std::string();
}

// ---- snapshot: its own facts against independent sources -------------------------

// `sslfeatures snapshot`, run once for the suite.
class Snapshot : public ::testing::Test {
  protected:
    static void SetUpTestSuite() { run_ = new JsonRun(run_tool_json({"snapshot"})); }
    static void TearDownTestSuite() { delete run_; }
    void SetUp() override { assert_json_run(*run_); }
    static const json& live_snapshot() { return run_->doc; }
    static JsonRun* run_;
};
JsonRun* Snapshot::run_ = nullptr;

TEST_F(Snapshot, FollowsTheSchema) {
    const json& s = live_snapshot();
    EXPECT_EQ(s.at("schema"), "sslfeatures/snapshot");
    EXPECT_EQ(s.at("schema_version"), 3);
    EXPECT_EQ(s.at("tool").at("name"), "sslfeatures");
    EXPECT_TRUE(std::regex_match(s.at("created").get<std::string>(),
                                 std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
    for (const char* part : {"library", "constants", "features", "defaults", "protocols", "protocol_ciphers"}) {
        EXPECT_TRUE(s.at(part).is_object()) << part;
    }
    for (const char* part : {"ciphers", "groups", "signature_algorithms"}) {
        EXPECT_TRUE(s.at(part).is_array()) << part;
        EXPECT_FALSE(s.at(part).empty()) << part;
    }
    EXPECT_FALSE(s.contains("bench"));  // only with --with-bench
}

TEST_F(Snapshot, LibraryIsTheOneRunningAndTheHeadersCompiledAgainst) {
    const json& lib = live_snapshot().at("library");
    EXPECT_EQ(std::stoul(lib.at("library_number").get<std::string>(), nullptr, 16), OpenSSL_version_num());
    EXPECT_EQ(std::stoul(lib.at("headers_number").get<std::string>(), nullptr, 16),
              static_cast<unsigned long>(OPENSSL_VERSION_NUMBER));
    EXPECT_EQ(lib.at("library_version"), OpenSSL_version(OPENSSL_VERSION));
    EXPECT_EQ(lib.at("openssldir").get<std::string>().find("OPENSSLDIR"), std::string::npos);
}

TEST_F(Snapshot, ConstantsAreTheValuesOfTheHeadersMacros) {
    const json& s = live_snapshot();
    EXPECT_EQ(constant(s, "options", "SSL_OP_ALL"), static_cast<std::uint64_t>(SSL_OP_ALL));
    EXPECT_EQ(constant(s, "options", "SSL_OP_NO_COMPRESSION"), static_cast<std::uint64_t>(SSL_OP_NO_COMPRESSION));
    EXPECT_EQ(constant(s, "protocol", "TLS1_3_VERSION"), static_cast<std::uint64_t>(TLS1_3_VERSION));
    EXPECT_EQ(constant(s, "verify_mode", "SSL_VERIFY_PEER"), static_cast<std::uint64_t>(SSL_VERIFY_PEER));
    EXPECT_EQ(constant(s, "verify_flags", "X509_V_FLAG_X509_STRICT"),
              static_cast<std::uint64_t>(X509_V_FLAG_X509_STRICT));
    EXPECT_EQ(constant(s, "verify_errors", "X509_V_ERR_HOSTNAME_MISMATCH"),
              static_cast<std::uint64_t>(X509_V_ERR_HOSTNAME_MISMATCH));
    EXPECT_EQ(constant(s, "mode", "SSL_MODE_RELEASE_BUFFERS"), static_cast<std::uint64_t>(SSL_MODE_RELEASE_BUFFERS));
    EXPECT_EQ(constant(s, "ssl_errors", "SSL_ERROR_WANT_READ"), static_cast<std::uint64_t>(SSL_ERROR_WANT_READ));
}

// `openssl ciphers -V`: "0xC0,0x2C - ECDHE-ECDSA-AES256-GCM-SHA384 TLSv1.2 Kx=ECDH ..."
TEST_F(Snapshot, KnowsEveryCipherTheOpensslCommandKnows) {
    Result r = openssl_under_test({"ciphers", "-V", "ALL:COMPLEMENTOFALL"});
    if (r.exit_code == -1) GTEST_SKIP() << r.err;
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, const json*> ours;
    for (const auto& c : live_snapshot().at("ciphers")) ours[c.at("name")] = &c;

    const std::regex line(R"(^\s*0x([0-9A-F]{2}),0x([0-9A-F]{2}) - (\S+)\s+(\S+)\s+Kx=(\S+)\s+Au=(\S+)\s+Enc=(\S+)\s+Mac=(\S+))");
    int checked = 0;
    for (const auto& text : lines_of(r.out)) {
        std::smatch m;
        ASSERT_TRUE(std::regex_search(text, m, line)) << text;
        const auto it = ours.find(m[3]);
        ASSERT_NE(it, ours.end()) << m[3] << " is missing from the snapshot";
        const json& c = *it->second;
        unsigned id = std::stoul(m[1].str() + m[2].str(), nullptr, 16);
        EXPECT_EQ(std::stoul(c.at("id").get<std::string>(), nullptr, 16), id) << m[3];
        // SSL_CIPHER_description (what -V prints) says "TLSv1" where
        // SSL_CIPHER_get_version, which the snapshot and Python report, says "TLSv1.0".
        EXPECT_EQ(c.at("protocol"), m[4] == "TLSv1" ? "TLSv1.0" : m[4].str()) << m[3];
        EXPECT_EQ(c.at("kx"), m[5].str()) << m[3];
        EXPECT_EQ(c.at("auth"), m[6].str()) << m[3];
        EXPECT_EQ(c.at("enc"), m[7].str()) << m[3];
        EXPECT_EQ(c.at("mac"), m[8].str()) << m[3];
        ++checked;
    }
    EXPECT_GT(checked, 30);
}

// `openssl ciphers -s -tls1_2` lists what a default context would offer.
TEST_F(Snapshot, DefaultCiphersPerProtocolAreWhatTheOpensslCommandLists) {
    const json& per_protocol = live_snapshot().at("protocol_ciphers");
    const std::pair<const char*, const char*> protocols[] = {{"TLSv1.2", "-tls1_2"}, {"TLSv1.3", "-tls1_3"}};
    for (const auto& [name, flag] : protocols) {
        Result r = openssl_under_test({"ciphers", "-s", flag});
        if (r.exit_code == -1) GTEST_SKIP() << r.err;
        ASSERT_EQ(r.exit_code, 0) << r.err;
        std::vector<std::string> theirs;
        std::stringstream in(lines_of(r.out).at(0));
        for (std::string item; std::getline(in, item, ':');) theirs.push_back(item);
        EXPECT_EQ(per_protocol.at(name).get<std::vector<std::string>>(), theirs) << name;
    }
}

TEST_F(Snapshot, ModernProtocolsCompleteAHandshakeAndSslv3DoesNot) {
    const json& protocols = live_snapshot().at("protocols");
    for (const char* name : {"TLSv1.2", "TLSv1.3"}) {
        for (const auto& [key, attempt] : protocols.at(name).at("attempts").items()) {
            EXPECT_TRUE(attempt.at("ok").get<bool>()) << name << " " << key << ": " << attempt.at("detail");
        }
    }
    EXPECT_EQ(protocols.at("TLSv1.3").at("version"), TLS1_3_VERSION);
    for (const auto& [key, attempt] : protocols.at("SSLv3").at("attempts").items()) {
        EXPECT_FALSE(attempt.at("ok").get<bool>()) << key;
    }
}

TEST_F(Snapshot, PortableLeavesOutWhatDescribesTheMachine) {
    Result r = run_tool({"snapshot", "--portable"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json lib = json::parse(r.out).at("library");
    std::vector<std::string> facts = {"openssldir", "build_flags", "built_on", "platform"};
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    facts.push_back("config_file");  // CONF_get1_default_config_file() is new in 3.0
#endif
    for (const std::string& fact : facts) {
        EXPECT_FALSE(lib.contains(fact)) << fact;
        EXPECT_TRUE(live_snapshot().at("library").contains(fact)) << fact;
    }
    EXPECT_EQ(lib.at("library_version"), OpenSSL_version(OPENSSL_VERSION));
}

TEST_F(Snapshot, OutputFileHoldsTheSameDocument) {
    TempDir dir;
    const std::string path = dir.path() + "/snap.json";
    Result r = run_tool({"snapshot", "-o", path});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "");
    json written = read_json(path);
    json expected = live_snapshot();
    written.erase("created");
    expected.erase("created");
    EXPECT_EQ(written, expected);
    EXPECT_EQ(fs::directory_iterator(dir.path())->path().filename(), "snap.json");  // no temporary left
}

// ---- reference tables -----------------------------------------------------------------

// The table for the running library: its exact version, or else the newest of
// its series (a Debian point update), in which case only the version facts may
// differ. Returns the table's name, empty when there is none.
std::string reference_for(const std::string& version, bool& exact) {
    const std::string wanted = "openssl-" + version;
    const std::string series = wanted.substr(0, wanted.rfind('.') + 1);
    std::string best;
    for (const auto& entry : fs::directory_iterator(env_or_fail("SF_TEST_TABLES"))) {
        const std::string name = entry.path().stem().string();
        // The reference tables are openssl-*.json; tables/ also holds other data.
        if (entry.path().extension() != ".json" || !entry.path().stem().string().starts_with("openssl-")) continue;
        if (name == wanted) {
            exact = true;
            return name;
        }
        if (name.rfind(series, 0) == 0 && name > best) best = name;
    }
    exact = false;
    return best;
}

// A scheme's code point as either schema version writes it: version 1
// "RSA-SHA256(0x0401)", version 2 "rsa_pkcs1_sha256 (0x0401)".
std::string code_point_of(const std::string& scheme) {
    std::smatch m;
    return std::regex_search(scheme, m, std::regex(R"(\((0x[0-9a-f]{4})\)$)")) ? m[1].str() : scheme;
}

// What schema versions 1 and 2 have in common: signature schemes by code
// point alone (version 2 renamed them), without the fields version 2 added.
json common_content(json doc) {
    doc.erase("schema_version");
    for (auto& scheme : doc.at("signature_algorithms")) scheme = code_point_of(scheme.get<std::string>());
    for (auto& [id, part] : doc.at("defaults").items()) {
        part.erase("host_name_check");
        part.erase("subject_cn_fallback");
        for (auto& scheme : part.at("signature_algorithms")) scheme.erase("name");
    }
    return doc;
}

TEST(ReferenceTable, TheRunningLibrarysTableEqualsItsLiveSnapshot) {
    Result r = run_tool({"snapshot", "--portable"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    json live = common_content(json::parse(r.out));
    const std::string version = exact_version(live.at("library").at("library_version"));
    ASSERT_FALSE(version.empty());
    bool exact = false;
    const std::string name = reference_for(version, exact);
    ASSERT_FALSE(name.empty()) << "tables/ has no table for OpenSSL " << version
                               << "; run scripts/make-reference-tables.sh and commit it";
    json table = common_content(read_json(table_path(name)));
    for (json* doc : {&live, &table}) {
        doc->erase("created");
        doc->erase("tool");
        if (!exact) {
            for (const char* fact : {"headers_version", "headers_number", "library_version", "library_number",
                                     "providers"}) {
                doc->at("library").erase(fact);
            }
        }
    }
    if (!exact) RecordProperty("note", name + " stands in for OpenSSL " + version + "; regenerate the tables");
    const json patch = json::diff(table, live);
    EXPECT_TRUE(patch.empty()) << name << " and the live snapshot differ; first difference: " << patch.at(0).dump()
                               << " (regenerate with scripts/make-reference-tables.sh if the library changed)";

    if (exact) {
        Result d = run_tool({"diff", name, "live"});
        EXPECT_EQ(d.exit_code, 0) << d.out << d.err;
        EXPECT_NE(d.out.find("no differences"), std::string::npos);
    }
}

TEST(ReferenceTable, EveryTableIsAPortableSnapshotOfTheVersionItIsNamedFor) {
    int tables = 0;
    for (const auto& entry : fs::directory_iterator(env_or_fail("SF_TEST_TABLES"))) {
        // The reference tables are openssl-*.json; tables/ also holds other data.
        if (entry.path().extension() != ".json" || !entry.path().stem().string().starts_with("openssl-")) continue;
        const json t = read_json(entry.path().string());
        const std::string name = entry.path().stem().string();
        EXPECT_EQ(t.at("schema"), "sslfeatures/snapshot") << name;
        EXPECT_EQ("openssl-" + exact_version(t.at("library").at("library_version")), name);
        EXPECT_FALSE(t.at("library").contains("openssldir")) << name << " names a machine's paths";
        ++tables;
    }
    EXPECT_GE(tables, 3);
}

// ---- version 1 snapshots: OpenSSL's names, read as the registry's ------------------

// The IANA TLS SignatureScheme registry's names for the code points the
// reference tables hold, and for the TLS 1.2 pairs it only reserves the names
// `openssl s_server -trace` prints (ssl/t1_trce.c).
const std::map<std::string, std::string> kIanaNames = {
    {"0x0201", "rsa_pkcs1_sha1"},         {"0x0202", "dsa_sha1"},
    {"0x0203", "ecdsa_sha1"},             {"0x0301", "rsa_pkcs1_sha224"},
    {"0x0302", "dsa_sha224"},             {"0x0303", "ecdsa_sha224"},
    {"0x0401", "rsa_pkcs1_sha256"},       {"0x0402", "dsa_sha256"},
    {"0x0403", "ecdsa_secp256r1_sha256"}, {"0x0501", "rsa_pkcs1_sha384"},
    {"0x0502", "dsa_sha384"},             {"0x0503", "ecdsa_secp384r1_sha384"},
    {"0x0601", "rsa_pkcs1_sha512"},       {"0x0602", "dsa_sha512"},
    {"0x0603", "ecdsa_secp521r1_sha512"}, {"0x0804", "rsa_pss_rsae_sha256"},
    {"0x0805", "rsa_pss_rsae_sha384"},    {"0x0806", "rsa_pss_rsae_sha512"},
    {"0x0807", "ed25519"},                {"0x0808", "ed448"},
    {"0x0809", "rsa_pss_pss_sha256"},     {"0x080a", "rsa_pss_pss_sha384"},
    {"0x080b", "rsa_pss_pss_sha512"},     {"0x081a", "ecdsa_brainpoolP256r1tls13_sha256"},
    {"0x081b", "ecdsa_brainpoolP384r1tls13_sha384"}, {"0x081c", "ecdsa_brainpoolP512r1tls13_sha512"},
    {"0x0904", "mldsa44"},                {"0x0905", "mldsa65"},
    {"0x0906", "mldsa87"},
};

std::string iana_scheme(const std::string& code) { return kIanaNames.at(code) + " (" + code + ")"; }

// A version 1 table as version 2 writes the same library, renamed by this
// test's own copy of the registry.
json as_version_2(json doc) {
    doc["schema_version"] = 2;
    for (auto& scheme : doc.at("signature_algorithms")) scheme = iana_scheme(code_point_of(scheme));
    for (auto& [id, part] : doc.at("defaults").items()) {
        for (auto& scheme : part.at("signature_algorithms")) scheme["name"] = kIanaNames.at(scheme.at("hex"));
    }
    return doc;
}

std::vector<std::string> v1_table_names() {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(env_or_fail("SF_TEST_V1_TABLES"))) {
        if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
    }
    return names;
}

TEST(Version1, EveryTableEqualsItsCopyInTheRegistrysNames) {
    TempDir dir;
    for (const std::string& name : v1_table_names()) {
        const std::string v1 = v1_table_path(name);
        const json table = read_json(v1);
        ASSERT_EQ(table.at("schema_version"), 1) << name << ": the tables were made by version 1";
        const std::string copy = dir.path() + "/" + name + "-v2.json";
        write_file(copy, as_version_2(table).dump(2));
        for (const auto& [from, to] : {std::pair{v1, copy}, std::pair{copy, v1}}) {
            const json d = diff_json(from, to, 0);
            EXPECT_TRUE(d.at("equal").get<bool>()) << from << " -> " << to << ": " << d.at("sections").dump();
        }
    }
}

// The schemes one table offers and the other does not, by the code points the
// raw tables hold, named as the registry names them.
TEST(Version1, SignatureChangesBetweenTablesAreNamedByTheRegistry) {
    for (const auto& [old_name, new_name] : {std::pair{"openssl-1.1.1w", "openssl-3.0.22"},
                                             std::pair{"openssl-3.0.22", "openssl-3.5.7"}}) {
        const json old_table = read_json(v1_table_path(old_name));
        const json new_table = read_json(v1_table_path(new_name));
        std::set<std::string> old_codes, new_codes;
        for (const auto& s : old_table.at("signature_algorithms")) old_codes.insert(code_point_of(s));
        for (const auto& s : new_table.at("signature_algorithms")) new_codes.insert(code_point_of(s));
        std::set<std::string> added, removed;
        for (const auto& c : new_codes) if (!old_codes.count(c)) added.insert(iana_scheme(c));
        for (const auto& c : old_codes) if (!new_codes.count(c)) removed.insert(iana_scheme(c));
        ASSERT_FALSE(added.empty() && removed.empty()) << old_name << " -> " << new_name;

        std::set<std::string> reported_added, reported_removed;
        const json d = diff_json(v1_table_path(old_name), v1_table_path(new_name), 1);
        // The library default's list, said once in the defaults section.
        for (const auto& section : d.at("sections")) {
            if (section.at("id") != "defaults") continue;
            for (const auto& c : section.at("changes")) {
                const auto& sides = c.value("sides", json::array());
                if (c.at("name") != "signature_algorithms" ||
                    std::find(sides.begin(), sides.end(), "library_default") == sides.end()) {
                    continue;
                }
                if (c.at("change") == "added") reported_added.insert(c.at("new").get<std::string>());
                if (c.at("change") == "removed") reported_removed.insert(c.at("old").get<std::string>());
            }
        }
        EXPECT_EQ(reported_added, added) << old_name << " -> " << new_name;
        EXPECT_EQ(reported_removed, removed) << old_name << " -> " << new_name;
    }
}

// The same library recorded by version 1 and by version 2: nothing differs,
// although every signature name and the schema changed between them.
TEST(Version1, AVersion1TableEqualsTheVersion2TableOfTheSameLibrary) {
    const json d = diff_json(v1_table_path("openssl-3.0.22"), "openssl-3.0.22", 0);
    EXPECT_TRUE(d.at("equal").get<bool>()) << d.at("sections").dump();
}

// 3.5 adds the brainpool schemes, whose names alone nearly fill a line.
TEST(Version1, TextNeverPartsASchemeFromItsCodePoint) {
    Result r = run_tool({"diff", "openssl-3.0.22", "openssl-3.5.7"});
    ASSERT_EQ(r.exit_code, 1) << r.err;
    ASSERT_NE(r.out.find("ecdsa_brainpoolP512r1tls13_sha512 (0x081c)"), std::string::npos) << r.out;
    for (const std::string& line : lines_of(r.out)) {
        EXPECT_FALSE(std::regex_search(line, std::regex(R"(^\s+\(0x[0-9a-f]{4}\))"))) << line;
    }
}

// ---- diff: the known changes between real releases --------------------------------

TEST(Diff, FindsWhatChangedFrom111To30) {
    const json d = diff_json("openssl-1.1.1w", "openssl-3.0.22", 1);
    EXPECT_EQ(d.at("schema"), "sslfeatures/diff");
    EXPECT_FALSE(d.at("equal").get<bool>());

    // SSL_OP_ALL lost SSL_OP_LEGACY_SERVER_CONNECT (0x4): 0x80000854 -> 0x80000850
    // in OpenSSL's ssl.h of each release.
    const json* all = find_change(d, "options", "SSL_OP_ALL");
    ASSERT_NE(all, nullptr);
    EXPECT_EQ(all->at("change"), "changed");
    EXPECT_EQ(all->at("old_value").at("hex"), "0x80000854");
    EXPECT_EQ(all->at("new_value").at("hex"), "0x80000850");
    EXPECT_EQ(all->at("old_value").at("value"), std::to_string(0x80000854u));
    EXPECT_EQ(all->at("old_value").at("binary"), "10000000000000000000100001010100");
    EXPECT_NE(all->at("note").get<std::string>().find("SSL_OP_LEGACY_SERVER_CONNECT"), std::string::npos);

    for (const char* added : {"SSL_OP_ENABLE_KTLS", "SSL_OP_IGNORE_UNEXPECTED_EOF", "SSL_OP_NO_EXTENDED_MASTER_SECRET"}) {
        const json* c = find_change(d, "options", added);
        ASSERT_NE(c, nullptr) << added;
        EXPECT_EQ(c->at("change"), "added") << added;
    }
    // Debian's 3.0 raised the security level, which ends TLS 1.0 and 1.1 with SHA-1.
    const json* level = find_change(d, "defaults", "library_default.security_level");
    ASSERT_NE(level, nullptr);
    EXPECT_EQ(level->at("old"), "1");
    EXPECT_EQ(level->at("new"), "2");
    const json* tls1 = find_change(d, "protocols", "TLSv1");
    ASSERT_NE(tls1, nullptr);
    EXPECT_EQ(tls1->at("note"), "stopped working");
}

TEST(Diff, FindsThe64BitOptionsAndPostQuantumGroupsNewIn35) {
    const json d = diff_json("openssl-3.0.22", "openssl-3.5.7", 1);
    const json* prefer = find_change(d, "options", "SSL_OP_PREFER_NO_DHE_KEX");
    ASSERT_NE(prefer, nullptr);
    EXPECT_EQ(prefer->at("change"), "added");
    EXPECT_EQ(prefer->at("new_value").at("value"), std::to_string(std::uint64_t{1} << 35));
    EXPECT_EQ(prefer->at("new_value").at("binary"), "1" + std::string(35, '0'));
    for (const char* name : {"SSL_OP_NO_TX_CERTIFICATE_COMPRESSION", "SSL_OP_NO_RX_CERTIFICATE_COMPRESSION"}) {
        const json* c = find_change(d, "options", name);
        ASSERT_NE(c, nullptr) << name;
        EXPECT_GT(std::stoull(c->at("new_value").at("value").get<std::string>()), 0xffffffffull) << name;
    }
    EXPECT_NE(find_change(d, "groups", "X25519MLKEM768"), nullptr);
    EXPECT_NE(find_change(d, "defaults", "client.groups"), nullptr);
    const json* mlkem = find_change(d, "features", "HAS_MLKEM");
    ASSERT_NE(mlkem, nullptr);
    EXPECT_EQ(mlkem->at("note"), "gained");
}

// Every change the JSON reports is a real difference between the two tables
// as the test reads them.
TEST(Diff, ConstantChangesAreTheTablesOwnValues) {
    const json old_t = read_json(table_path("openssl-1.1.1w"));
    const json new_t = read_json(table_path("openssl-3.0.22"));
    const json d = diff_json("openssl-1.1.1w", "openssl-3.0.22", 1);
    int checked = 0;
    for (const auto& [category, body] : new_t.at("constants").items()) {
        for (const auto& [name, value] : body.at("values").items()) {
            const json* c = find_change(d, category, name);
            const json& old_values = old_t.at("constants").contains(category)
                                         ? old_t.at("constants").at(category).at("values")
                                         : json::object();
            if (!old_values.contains(name)) {
                ASSERT_NE(c, nullptr) << category << " " << name << " is new but not reported";
                EXPECT_EQ(c->at("new_value").at("value"), value.dump());
            } else if (old_values.at(name) != value) {
                ASSERT_NE(c, nullptr) << category << " " << name << " changed but is not reported";
                EXPECT_EQ(c->at("old_value").at("value"), old_values.at(name).dump());
                EXPECT_EQ(c->at("new_value").at("value"), value.dump());
            } else {
                EXPECT_EQ(c, nullptr) << category << " " << name << " did not change";
            }
            ++checked;
        }
    }
    EXPECT_GT(checked, 300);
}

TEST(Diff, TextMarkdownAndJsonCountTheSameChanges) {
    const json d = diff_json("openssl-3.0.22", "openssl-3.5.7", 1);
    std::size_t changes = 0;
    for (const auto& s : d.at("sections")) changes += s.at("changes").size();
    EXPECT_EQ(d.at("change_count").get<std::size_t>(), changes);

    Result text = run_tool({"diff", "openssl-3.0.22", "openssl-3.5.7"});
    EXPECT_EQ(text.exit_code, 1);
    const auto lines = lines_of(text.out);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines.back(), std::to_string(changes) + " changes in " + std::to_string(d.at("sections").size()) +
                                " sections");
    // Wrapped at 72 columns, except value rows, which widen for 64-bit values
    // as the features table's rows do.
    const std::regex value_row(R"(.* [01]+$)");
    for (const auto& line : lines) {
        if (!std::regex_match(line, value_row)) {
            EXPECT_LE(line.size(), 72u) << line;
        }
    }

    Result md = run_tool({"diff", "openssl-3.0.22", "openssl-3.5.7", "--format", "markdown"});
    EXPECT_EQ(md.exit_code, 1);
    std::size_t rows = 0;
    for (const auto& line : lines_of(md.out)) {
        if (line.rfind("| ", 0) == 0 && line.find("| change |") == std::string::npos &&
            line.rfind("|---", 0) != 0) {
            ++rows;
        }
    }
    EXPECT_EQ(rows, changes);
}

TEST(Diff, ASnapshotEqualsItselfWithExitZero) {
    const json d = diff_json("openssl-3.5.7", "openssl-3.5.7", 0);
    EXPECT_TRUE(d.at("equal").get<bool>());
    EXPECT_EQ(d.at("change_count"), 0);
    Result text = run_tool({"diff", table_path("openssl-1.1.1w"), "openssl-1.1.1w"});  // a path and a name
    EXPECT_EQ(text.exit_code, 0) << text.err;
    EXPECT_NE(text.out.find("no differences"), std::string::npos);
}

TEST(Diff, IgnoringEveryReportedSectionLeavesNoDifferences) {
    const json d = diff_json("openssl-1.1.1w", "openssl-3.5.7", 1);
    std::vector<std::string> ignore;
    for (const auto& s : d.at("sections")) {
        ignore.push_back("--ignore");
        ignore.push_back(s.at("id"));
    }
    ASSERT_GT(ignore.size(), 10u);
    const json quiet = diff_json("openssl-1.1.1w", "openssl-3.5.7", 0, ignore);
    EXPECT_TRUE(quiet.at("equal").get<bool>());

    // `constants` covers every category at once.
    const json no_constants = diff_json("openssl-1.1.1w", "openssl-3.5.7", 1, {"--ignore", "constants"});
    EXPECT_EQ(find_change(no_constants, "options", "SSL_OP_ALL"), nullptr);
    EXPECT_NE(find_change(no_constants, "groups", "X25519MLKEM768"), nullptr);
}

// Two copies of one table that differ only in made-up handshake figures: a
// change counts only beyond twice the combined spread (docs/snapshots.md's rule).
TEST(Diff, HandshakeSpeedChangesBeyondTheNoiseInPercent) {
    TempDir dir;
    auto with_bench = [&](const std::string& name, json cases) {
        json doc = read_json(table_path("openssl-3.0.22"));
        doc["bench"] = {{"cases", std::move(cases)}};
        const std::string path = dir.path() + "/" + name;
        std::ofstream(path) << doc.dump();
        return path;
    };
    auto bench_case = [](const char* id, double rate, double cv) {
        return json{{"id", id}, {"handshakes_per_second", rate}, {"cv", cv}, {"repetitions", 5}};
    };
    const std::string before = with_bench("before.json", {bench_case("faster", 1000, 0.01), bench_case("same", 1000, 0.01),
                                                          bench_case("noisy", 1000, 0.10), bench_case("gone", 500, 0.01)});
    const std::string after = with_bench("after.json", {bench_case("faster", 1500, 0.01), bench_case("same", 1020, 0.01),
                                                        bench_case("noisy", 1200, 0.10), bench_case("new", 700, 0.02)});
    const json d = diff_json(before, after, 1);
    ASSERT_EQ(d.at("sections").size(), 1u) << d.dump(1);
    const json* faster = find_change(d, "bench", "faster");
    ASSERT_NE(faster, nullptr);
    EXPECT_EQ(faster->at("change"), "changed");
    // +50%, noise 2 * hypot(1%, 1%) = 2.8%
    EXPECT_EQ(faster->at("note"), "+50.0% (noise \u00b12.8%)");
    EXPECT_EQ(find_change(d, "bench", "same"), nullptr) << "+2% is inside 2.8%";
    EXPECT_EQ(find_change(d, "bench", "noisy"), nullptr) << "+20% is inside 28%";
    ASSERT_NE(find_change(d, "bench", "gone"), nullptr);
    EXPECT_EQ(find_change(d, "bench", "gone")->at("change"), "removed");
    ASSERT_NE(find_change(d, "bench", "new"), nullptr);
    EXPECT_EQ(find_change(d, "bench", "new")->at("change"), "added");

    diff_json(before, after, 0, {"--ignore", "bench"});
    // One side without figures, and rewritten by nlohmann-json with its keys
    // sorted: JSON objects have no order, so still equal.
    diff_json(table_path("openssl-3.0.22"), after, 0);
}

TEST(Diff, UnknownIgnoreIdNamesTheChoices) {
    const Result r = run_tool({"diff", "openssl-1.1.1w", "openssl-3.0.22", "--ignore", "cipher"});
    expect_one_line_error(r, 2, "cipher");
    EXPECT_NE(r.err.find("options"), std::string::npos);
    EXPECT_NE(r.err.find("protocols"), std::string::npos);
}

TEST(Diff, OutputFileIsWrittenWithTheExitCodeOfTheComparison) {
    TempDir dir;
    const std::string path = dir.path() + "/d.md";
    Result r = run_tool({"diff", "openssl-1.1.1w", "openssl-3.0.22", "-f", "markdown", "-o", path});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_NE(read_file(path).find("SSL_OP_ALL"), std::string::npos);
}

// ---- malformed input: one line naming the file and where, exit 2 ---------------------

struct Malformed {
    const char* name;
    std::string (*make)(const std::string& good);  // from a good table's text
    const char* expect;  // in the message, after the file name
};

json parsed(const std::string& text) { return json::parse(text); }
std::string with(const std::string& good, void (*edit)(json&)) {
    json d = parsed(good);
    edit(d);
    return d.dump(1);
}

const Malformed kMalformed[] = {
    {"empty", [](const std::string&) { return std::string(); }, "the file is empty"},
    {"blank", [](const std::string&) { return std::string("\n  \n"); }, "the file is empty"},
    {"truncated", [](const std::string& g) { return g.substr(0, g.size() / 2); }, "truncated"},
    {"not_json", [](const std::string&) { return std::string("OpenSSL 3.0\n"); }, "line 1, column 1: not valid JSON"},
    {"binary", [](const std::string&) { return std::string("\x00\x01\xff{", 4); }, "not valid JSON"},
    {"array", [](const std::string&) { return std::string("[1, 2]"); }, "/: expected a snapshot"},
    {"other_schema",
     [](const std::string& g) { return with(g, [](json& d) { d["schema"] = "sslfeatures/defaults"; }); },
     "/schema: this is a 'sslfeatures/defaults' document"},
    {"schema_version",
     [](const std::string& g) { return with(g, [](json& d) { d["schema_version"] = 4; }); },
     "/schema_version: schema version 4 is not one this sslfeatures reads (it reads 1 to 3)"},
    {"version_1_scheme_without_code_point",
     [](const std::string& g) {
         return with(g, [](json& d) {
             d["schema_version"] = 1;
             d["signature_algorithms"][1] = "RSA-SHA256";
         });
     },
     "/signature_algorithms/1: 'RSA-SHA256' is not a signature scheme"},
    {"wrong_type",
     [](const std::string& g) {
         return with(g, [](json& d) { d["constants"]["options"]["values"]["SSL_OP_ALL"] = "all"; });
     },
     "/constants/options/values/SSL_OP_ALL: expected an integer"},
    {"wrong_type_list",
     [](const std::string& g) { return with(g, [](json& d) { d["groups"] = "x25519"; }); }, "/groups: expected"},
    {"missing_section", [](const std::string& g) { return with(g, [](json& d) { d.erase("ciphers"); }); },
     "/ciphers: missing"},
    {"huge_number",
     [](const std::string& g) {
         json d = parsed(g);
         d["constants"]["options"]["values"]["SSL_OP_ALL"] = 12345;
         std::string text = d.dump(1);
         text.replace(text.find("12345"), 5, "18446744073709551616");  // 2^64
         return text;
     },
     "/constants/options/values/SSL_OP_ALL: expected an integer of at most 64 bits"},
    // JSON parsers keep one of two equal keys without a word; a snapshot must not.
    {"duplicate_key",
     [](const std::string& g) {
         std::string text = g;
         text.insert(text.find("\"schema\""), "\"schema\": \"sslfeatures/snapshot\",\n  ");
         return text;
     },
     "the key \"schema\" appears twice"},
    {"duplicate_nested_key",
     [](const std::string& g) {
         std::string text = g;
         text.insert(text.find("\"SSL_OP_ALL\""), "\"SSL_OP_ALL\": 1,\n");
         return text;
     },
     "the key \"SSL_OP_ALL\" appears twice"},
};

class MalformedSnapshot : public ::testing::TestWithParam<Malformed> {};

TEST_P(MalformedSnapshot, IsRefusedWithFileAndPositionAndExit2) {
    const Malformed& m = GetParam();
    TempDir dir;
    const std::string path = dir.path() + "/" + m.name + ".json";
    std::ofstream(path, std::ios::binary) << m.make(read_file(table_path("openssl-3.0.22")));
    for (const auto& args : {std::vector<std::string>{"diff", path, "openssl-3.0.22"},
                             std::vector<std::string>{"diff", "live", path, "--format", "json"}}) {
        Result r = run_tool(args);
        EXPECT_EQ(r.exit_code, 2) << r.err;
        EXPECT_EQ(r.out, "");
        ASSERT_EQ(lines_of(r.err).size(), 1u) << r.err;
        EXPECT_NE(r.err.find(path + ": "), std::string::npos) << r.err;
        EXPECT_NE(r.err.find(m.expect), std::string::npos) << r.err;
    }
}

INSTANTIATE_TEST_SUITE_P(Classes, MalformedSnapshot, ::testing::ValuesIn(kMalformed),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(MalformedSnapshot, DirectoryAndMissingFileNameTheChoices) {
    TempDir dir;
    for (const std::string& path : {dir.path(), dir.path() + "/absent.json"}) {
        Result r = run_tool({"diff", path, "openssl-3.0.22"});
        EXPECT_EQ(r.exit_code, 2);
        ASSERT_EQ(lines_of(r.err).size(), 1u) << r.err;
        EXPECT_NE(r.err.find(path + ": "), std::string::npos) << r.err;
        EXPECT_NE(r.err.find("openssl-1.1.1w"), std::string::npos) << r.err;  // the tables it could have meant
    }
}

// Unreadable rather than missing: the reason must be the system's. Root
// reads any file through its capabilities, so as root the tool runs without
// CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (setpriv drops them from the
// bounding set). It stays uid 0, so a private OpenSSL prefix under root's
// home still loads.
TEST(MalformedSnapshot, AnUnreadableFileSaysPermissionDenied) {
    TempDir dir;
    ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);  // nobody may look in, but not read the file
    const std::string path = dir.path() + "/snapshot.json";
    write_file(path, "{}\n");
    ASSERT_EQ(::chmod(path.c_str(), 0), 0);
    std::vector<std::string> argv{env_or_fail("SSLFEATURES_BIN"), "diff", path, "openssl-3.0.22"};
    if (::geteuid() == 0) argv.insert(argv.begin(), {"setpriv", "--bounding-set", "-dac_override,-dac_read_search"});
    Result r;
    try {
        r = run(argv);
    } catch (const std::exception& e) {
        GTEST_SKIP() << "cannot drop root's file capabilities: " << e.what();
    }
    if (r.exit_code == 126 || r.exit_code == 127) GTEST_SKIP() << "cannot drop root's file capabilities: " << r.err;
    EXPECT_EQ(r.exit_code, 2) << r.err;
    ASSERT_EQ(lines_of(r.err).size(), 1u) << r.err;
    EXPECT_NE(r.err.find("sslfeatures: error: " + path + ": cannot read it: Permission denied;"), std::string::npos)
        << r.err;
}

}  // namespace
}  // namespace sslfeatures::testing
