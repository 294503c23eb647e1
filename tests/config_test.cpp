// The system's configuration (openssl.cnf's system_default section, read
// through OPENSSL_CONF) against our secure contexts: a stricter policy is
// kept, a looser one never lowers ours. Expected values come from the files
// this test writes; a real peer confirms the minimum version in a handshake.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <regex>

#include <nlohmann/json.hpp>
#include <openssl/opensslv.h>

#include "support/certs.hpp"
#include "support/process.hpp"

namespace sslfeatures::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kTls12 = 0x0303;
constexpr int kTls13 = 0x0304;

// An openssl.cnf whose system_default section holds `settings`.
std::string config_with(const TempDir& dir, const std::string& settings) {
    const std::string path = dir.path() + "/openssl.cnf";
    write_file(path, "openssl_conf = default_conf\n"
                     "[default_conf]\nssl_conf = ssl_sect\n"
                     "[ssl_sect]\nsystem_default = system_default_sect\n"
                     "[system_default_sect]\n" + settings);
    return path;
}

// The tool under OPENSSL_CONF=config.
Result run_with_config(const std::string& config, const std::vector<std::string>& args) {
    std::vector<std::string> argv{"env", "OPENSSL_CONF=" + config, env_or_fail("SSLFEATURES_BIN")};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
}

nlohmann::json defaults_under(const std::string& config) {
    Result r = run_with_config(config, {"defaults", "--format", "json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? nlohmann::json::parse(r.out) : nlohmann::json::object();
}

TEST(Configuration, AStricterSystemPolicyIsKeptBySecureContexts) {
    TempDir dir;
    const auto d = defaults_under(config_with(dir, "MinProtocol = TLSv1.3\nCipherString = DEFAULT@SECLEVEL=3\n"));
    ASSERT_TRUE(d.contains("client"));
    for (const char* part : {"library_default", "client", "server"}) {
        SCOPED_TRACE(part);
        EXPECT_EQ(d.at(part).at("min_protocol").at("value"), kTls13);
        EXPECT_EQ(d.at(part).at("security_level"), 3);
    }
}

TEST(Configuration, ALooserSystemPolicyNeverLowersSecureContexts) {
    TempDir dir;
    const auto d = defaults_under(config_with(dir, "MinProtocol = TLSv1\nCipherString = DEFAULT@SECLEVEL=0\n"));
    ASSERT_TRUE(d.contains("client"));
    EXPECT_EQ(d.at("library_default").at("security_level"), 0) << "the configuration was not read";
    for (const char* part : {"client", "server"}) {
        SCOPED_TRACE(part);
        EXPECT_EQ(d.at(part).at("min_protocol").at("value"), kTls12);
        EXPECT_EQ(d.at(part).at("security_level"), 2);
    }
}

// openssl s_server (under no configuration of ours) offers TLS 1.2 only:
// our client completes with it, unless the system's policy says TLS 1.3.
TEST(Configuration, TheConfiguredMinimumVersionHoldsInAHandshake) {
    const TestCerts& certs = TestCerts::get();
    TempDir dir;
    const std::string strict = config_with(dir, "MinProtocol = TLSv1.3\n");
    for (const bool configured : {false, true}) {
        SCOPED_TRACE(configured ? "MinProtocol = TLSv1.3" : "no configuration");
        Background server({"openssl", "s_server", "-accept", "0", "-cert", certs.localhost, "-tls1_2", "-naccept", "1"});
        const std::string port = server.wait_for(std::regex("ACCEPT .*:(\\d+)\n"));
        ASSERT_FALSE(port.empty()) << server.output();
        const std::vector<std::string> args{"client", "localhost", port, "-a", certs.ca};
        Result r = configured ? run_with_config(strict, args) : run_tool(args);
        EXPECT_EQ(r.exit_code, configured ? 20 : 0) << r.err;
    }
}

// The groups a context offers are what the configuration says, in its order,
// also when the minimum is TLS 1.3 (a 1.3-only hello once read as "none").
TEST(Configuration, ConfiguredGroupsAreListedUnderATls13Minimum) {
    TempDir dir;
    const auto d = defaults_under(config_with(dir, "MinProtocol = TLSv1.3\nGroups = X448:secp384r1\n"));
    ASSERT_TRUE(d.contains("client"));
    for (const char* part : {"library_default", "client", "server"}) {
        EXPECT_EQ(d.at(part).at("groups"), nlohmann::json::array({"x448", "secp384r1"})) << part;
    }
}

// `defaults` shows the file and each setting it makes, with .include followed.
TEST(Configuration, DefaultsNameTheFileAndEverySettingIncludedOnes) {
    TempDir dir;
    const std::string included = dir.path() + "/policy.cnf";
    write_file(included, "[system_default_sect]\nMinProtocol = TLSv1.3\n");
    const std::string main = dir.path() + "/openssl.cnf";
    // Last: an included file's sections carry on after the .include line.
    write_file(main, "openssl_conf = default_conf\n[default_conf]\nssl_conf = ssl_sect\n"
                     "[ssl_sect]\nsystem_default = system_default_sect\n.include " + included + "\n");
    const auto d = defaults_under(main);
    ASSERT_TRUE(d.contains("configuration")) << d.dump();
    const auto& c = d.at("configuration");
    EXPECT_EQ(c.at("file"), main);
    EXPECT_EQ(c.at("chosen_by"), "OPENSSL_CONF");
    EXPECT_EQ(c.at("settings").at("ssl_conf.system_default.MinProtocol"), "TLSv1.3");
    EXPECT_EQ(d.at("client").at("min_protocol").at("value"), kTls13) << "the included setting was not applied";
}

#if OPENSSL_VERSION_NUMBER >= 0x30000000L
// A file that activates the legacy provider: it runs, and defaults list it.
TEST(Configuration, AnActivatedLegacyProviderIsListed) {
    TempDir dir;
    const std::string path = dir.path() + "/openssl.cnf";
    write_file(path, "openssl_conf = init\n[init]\nproviders = provider_sect\n"
                     "[provider_sect]\ndefault = default_sect\nlegacy = legacy_sect\n"
                     "[default_sect]\nactivate = 1\n[legacy_sect]\nactivate = 1\n");
    Result r = run_with_config(path, {"defaults", "--format", "json"});
    if (r.exit_code == 4 && r.err.find("'legacy'") != std::string::npos) {
        GTEST_SKIP() << "this OpenSSL has no legacy provider module: " << r.err;
    }
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto providers = nlohmann::json::parse(r.out).at("configuration").at("providers");
    EXPECT_TRUE(providers.contains("legacy")) << providers.dump();
    EXPECT_TRUE(providers.contains("default")) << providers.dump();
}
#endif

// Broken files: one line naming the file (and the line where there is one),
// exit 4, nothing on stdout; never a silent fallback to built-in defaults.
TEST(Configuration, ABrokenFileIsOneLineNamingItAndExitFour) {
    TempDir dir;
    struct Broken {
        std::string name, text, expected;
    };
    std::vector<Broken> cases = {
        {"syntax", "openssl_conf = init\n[init]\nssl_conf = ssl\n[ssl\n", "line 4"},
        {"include", ".include " + dir.path() + "/missing.cnf\nopenssl_conf = init\n[init]\n", "missing.cnf"},
    };
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    cases.push_back({"provider", "openssl_conf = init\n[init]\nproviders = p\n[p]\nnope = nope_sect\n"
                                 "[nope_sect]\nactivate = 1\n", "'nope'"});
#endif
    for (const Broken& b : cases) {
        SCOPED_TRACE(b.name);
        const std::string path = dir.path() + "/" + b.name + ".cnf";
        write_file(path, b.text);
        for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
                 {"defaults"}, {"features"}, {"snapshot"}, {"client", "localhost", "1"}}) {
            Result r = run_with_config(path, args);
            EXPECT_EQ(r.exit_code, 4) << args[0] << ": " << r.err;
            EXPECT_EQ(lines_of(r.err).size(), 1u) << r.err;
            EXPECT_NE(r.err.find("'" + path + "'"), std::string::npos) << r.err;
            EXPECT_NE(r.err.find(b.expected), std::string::npos) << r.err;
            EXPECT_EQ(r.out, "") << args[0];
        }
    }
    // A name in OPENSSL_CONF that leads nowhere is an error too.
    Result r = run_with_config(dir.path() + "/nowhere.cnf", {"features"});
    EXPECT_EQ(r.exit_code, 4) << r.err;
    EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
}

// diff of two files never touches the library, so a broken file is no matter.
TEST(Configuration, DiffOfTwoFilesRunsUnderABrokenFile) {
    TempDir dir;
    const std::string path = dir.path() + "/broken.cnf";
    write_file(path, "[unclosed\n");
    const std::string table = env_or_fail("SF_TEST_TABLES") + "/openssl-3.0.22.json";
    Result r = run_with_config(path, {"diff", table, table});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(run_with_config(path, {"diff", table, "live"}).exit_code, 4);
}

// Two snapshots made under different files: diff names each changed setting.
TEST(Configuration, DiffNamesEachSettingThatChanged) {
    TempDir dir;
    const std::string a = dir.path() + "/a.json", b = dir.path() + "/b.json";
    TempDir one, two;
    ASSERT_EQ(run_with_config(config_with(one, "MinProtocol = TLSv1.2\n"), {"snapshot", "-o", a}).exit_code, 0);
    ASSERT_EQ(run_with_config(config_with(two, "MinProtocol = TLSv1.3\nGroups = X25519\n"), {"snapshot", "-o", b}).exit_code, 0);
    Result r = run_tool({"diff", a, b, "-f", "json"});
    ASSERT_EQ(r.exit_code, 1) << r.err;
    const auto diff = nlohmann::json::parse(r.out);
    std::map<std::string, std::string> changes;
    for (const auto& section : diff.at("sections")) {
        if (section.at("id") != "configuration") continue;
        for (const auto& c : section.at("changes")) changes[c.at("name")] = c.at("change").get<std::string>() + " " +
                                                           c.at("old").get<std::string>() + " -> " + c.at("new").get<std::string>();
    }
    EXPECT_EQ(changes["ssl_conf.system_default.MinProtocol"], "changed TLSv1.2 -> TLSv1.3");
    EXPECT_EQ(changes["ssl_conf.system_default.Groups"], "added  -> X25519");
}

}  // namespace
}  // namespace sslfeatures::testing
