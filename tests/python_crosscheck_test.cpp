// Python's ssl module, the chapter's own library, exposes many of the same
// constants under its own names. Where both exist they must agree: this checks
// our values through a second, unrelated binding of the same OpenSSL.
#include <gtest/gtest.h>

#include <openssl/crypto.h>

#include "support/process.hpp"
#include "support/tool_json.hpp"

namespace sslfeatures::testing {
namespace {

const char* kPythonDump = R"PY(
import json, ssl
out = {"version": list(ssl.OPENSSL_VERSION_INFO[:3]), "python": list(__import__("sys").version_info[:2])}
for name in dir(ssl):
    value = getattr(ssl, name)
    if name[:1].isupper() and isinstance(value, int):  # bool counts: HAS_* are bools
        out[name] = int(value)
for v in ssl.TLSVersion:
    if v.value > 0:
        out["TLSVersion." + v.name] = v.value
print(json.dumps(out))
)PY";

class PythonSsl : public ::testing::Test {
  protected:
    void SetUp() override {
        Result r = run({env_or_fail("SF_TEST_PYTHON"), "-c", kPythonDump});
        if (r.exit_code != 0) GTEST_SKIP() << "python3 with ssl is not available: " << r.err;
        py_ = nlohmann::json::parse(r.out);
        const auto& v = py_.at("version");
        // Python links its own OpenSSL; compare only with the same release series.
        if (v[0].get<unsigned long>() != (OPENSSL_VERSION_NUMBER >> 28) ||
            v[1].get<unsigned long>() != ((OPENSSL_VERSION_NUMBER >> 20) & 0xff)) {
            GTEST_SKIP() << "Python's ssl uses OpenSSL " << v.dump() << ", not ours";
        }
        ours_ = numeric_sections(tool_json());
    }

    long long ours(const std::string& section, const std::string& name) {
        auto& rows = ours_[section];
        EXPECT_TRUE(rows.count(name)) << section << " lacks " << name;
        return rows.count(name) ? rows[name] : -1;
    }

    nlohmann::json py_;
    std::map<std::string, std::map<std::string, long long>> ours_;
};

TEST_F(PythonSsl, OptionsAgree) {
    int compared = 0;
    for (const auto& [name, value] : py_.items()) {
        if (name.rfind("OP_", 0) != 0 || name == "OP_ALL") continue;
        EXPECT_EQ(ours("options", "SSL_" + name), value.get<long long>()) << name;
        ++compared;
    }
    // Python clears one workaround bit from OP_ALL (see _ssl.c).
    EXPECT_EQ(ours("options", "SSL_OP_ALL") & ~ours("options", "SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS"),
              py_.at("OP_ALL").get<long long>());
    EXPECT_GE(compared, 12);
}

TEST_F(PythonSsl, VerifyFlagsAgree) {
    const std::map<std::string, std::string> renamed = {
        {"VERIFY_CRL_CHECK_LEAF", "X509_V_FLAG_CRL_CHECK"},
        {"VERIFY_X509_TRUSTED_FIRST", "X509_V_FLAG_TRUSTED_FIRST"},
        {"VERIFY_X509_PARTIAL_CHAIN", "X509_V_FLAG_PARTIAL_CHAIN"},
        {"VERIFY_X509_STRICT", "X509_V_FLAG_X509_STRICT"},
        {"VERIFY_ALLOW_PROXY_CERTS", "X509_V_FLAG_ALLOW_PROXY_CERTS"},
    };
    int compared = 0;
    for (const auto& [py, ssl] : renamed) {
        if (!py_.contains(py)) continue;
        EXPECT_EQ(ours("verify_flags", ssl), py_.at(py).get<long long>()) << py;
        ++compared;
    }
    EXPECT_EQ(ours("verify_flags", "X509_V_FLAG_CRL_CHECK") | ours("verify_flags", "X509_V_FLAG_CRL_CHECK_ALL"),
              py_.at("VERIFY_CRL_CHECK_CHAIN").get<long long>());
    EXPECT_GE(compared, 4);
}

// Python's CERT_NONE/OPTIONAL/REQUIRED are its own enumeration (0, 1, 2), which
// _ssl.c translates into SSL_VERIFY_* bits, so there is nothing to compare.

TEST_F(PythonSsl, ProtocolVersionsAgree) {
    const std::map<std::string, std::string> versions = {
        {"TLSVersion.SSLv3", "SSL3_VERSION"},     {"TLSVersion.TLSv1", "TLS1_VERSION"},
        {"TLSVersion.TLSv1_1", "TLS1_1_VERSION"}, {"TLSVersion.TLSv1_2", "TLS1_2_VERSION"},
        {"TLSVersion.TLSv1_3", "TLS1_3_VERSION"},
    };
    for (const auto& [py, ssl] : versions) {
        ASSERT_TRUE(py_.contains(py)) << py;
        EXPECT_EQ(ours("protocol", ssl), py_.at(py).get<long long>()) << py;
    }
}

TEST_F(PythonSsl, AlertsAndErrorCodesAgree) {
    int compared = 0;
    for (const auto& [name, value] : py_.items()) {
        if (name.rfind("ALERT_DESCRIPTION_", 0) == 0) {
            std::string ssl = "SSL_AD_" + name.substr(18);
            if (!ours_["alerts"].count(ssl)) continue;  // Python adds a few of its own
            EXPECT_EQ(ours("alerts", ssl), value.get<long long>()) << name;
            ++compared;
        } else if (name.rfind("SSL_ERROR_", 0) == 0 && ours_["ssl_errors"].count(name)) {
            EXPECT_EQ(ours("ssl_errors", name), value.get<long long>()) << name;
            ++compared;
        }
    }
    EXPECT_GE(compared, 25);
}

TEST_F(PythonSsl, FeatureFlagsAgreeWherePythonAndOpenSSLMeanTheSame) {
    int compared = 0;
    for (const auto& [name, value] : py_.items()) {
        if (name.rfind("HAS_", 0) != 0) continue;
        // Python 3.10 dropped NPN itself and reports 0 whatever OpenSSL offers.
        if (name == "HAS_NPN") continue;
        EXPECT_EQ(ours("feature_availability", name), value.get<long long>()) << name;
        ++compared;
    }
    EXPECT_GE(compared, 10);
}

}  // namespace
}  // namespace sslfeatures::testing
