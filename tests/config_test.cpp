// The system's configuration (openssl.cnf's system_default section, read
// through OPENSSL_CONF) against our secure contexts: a stricter policy is
// kept, a looser one never lowers ours. Expected values come from the files
// this test writes; a real peer confirms the minimum version in a handshake.
#include <gtest/gtest.h>

#include <chrono>
#include <regex>

#include <nlohmann/json.hpp>

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

}  // namespace
}  // namespace sslfeatures::testing
