// The table's values and completeness, checked by paths independent of the
// generator: a separately compiled program that prints each macro itself, and a
// plain-text scan of the header files the compiler actually reads.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "support/process.hpp"
#include "support/tool_json.hpp"

namespace sslfeatures::testing {
namespace {

std::vector<std::string> split_words(const std::string& s) {
    std::istringstream in(s);
    std::vector<std::string> out;
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

std::vector<std::string> compiler_with_flags() {
    std::vector<std::string> cmd = split_words(env_or_fail("SF_TEST_CXX"));
    for (const std::string& f : split_words(std::getenv("SF_TEST_CFLAGS") ? std::getenv("SF_TEST_CFLAGS") : "")) {
        cmd.push_back(f);
    }
    cmd.push_back("-std=c++20");
    return cmd;
}

TEST(Values, EqualWhatASeparatelyCompiledProgramPrints) {
    auto doc = tool_json();
    auto sections = numeric_sections(doc);
    sections.erase("feature_availability");  // probes, not macros
    TempDir dir;
    std::ostringstream src;
    src << "#include \"" << env_or_fail("SF_TEST_HEADERS") << "\"\n"
        << "#include <cstdio>\n#include <type_traits>\n"
        << "template <class T> void show(const char* n, T v) {\n"
        << "  if constexpr (std::is_signed_v<T>) std::printf(\"%s %lld\\n\", n, (long long)v);\n"
        << "  else std::printf(\"%s %llu\\n\", n, (unsigned long long)v);\n}\n"
        << "int main() {\n";
    std::size_t count = 0;
    for (const auto& [id, rows] : sections) {
        for (const auto& [name, value] : rows) {
            src << "  show(\"" << name << "\", " << name << ");\n";
            ++count;
        }
    }
    src << "}\n";
    ASSERT_GT(count, 200u) << "the catalogue is suspiciously small";
    write_file(dir.path() + "/probe.cpp", src.str());

    std::vector<std::string> cmd = compiler_with_flags();
    for (const char* a : {"-w", "-o"}) cmd.push_back(a);
    cmd.push_back(dir.path() + "/probe");
    cmd.push_back(dir.path() + "/probe.cpp");
    Result built = run(cmd);
    ASSERT_EQ(built.exit_code, 0) << built.err;
    Result printed = run({dir.path() + "/probe"});
    ASSERT_EQ(printed.exit_code, 0);

    std::map<std::string, long long> expected;
    for (const std::string& line : lines_of(printed.out)) {
        auto words = split_words(line);
        ASSERT_EQ(words.size(), 2u) << line;
        expected[words[0]] = words[1][0] == '-' ? std::stoll(words[1])
                                                : static_cast<long long>(std::stoull(words[1]));
    }
    for (const auto& [id, rows] : sections) {
        for (const auto& [name, value] : rows) {
            EXPECT_EQ(value, expected.at(name)) << id << " " << name;
        }
    }
}

// The OpenSSL headers the compiler reads for our header list, from -M.
std::vector<std::string> openssl_header_files() {
    std::vector<std::string> cmd = compiler_with_flags();
    for (const char* a : {"-x", "c++", "-M"}) cmd.push_back(a);
    cmd.push_back(env_or_fail("SF_TEST_HEADERS"));
    Result deps = run(cmd);
    EXPECT_EQ(deps.exit_code, 0) << deps.err;
    std::vector<std::string> files;
    for (const std::string& w : split_words(deps.out)) {
        if (w.find("/openssl/") != std::string::npos && w.size() > 2 &&
            w.compare(w.size() - 2, 2, ".h") == 0) {
            files.push_back(w);
        }
    }
    return files;
}

TEST(Completeness, EveryObjectLikeOptionVerifyModeAndVerifyFlagMacroIsInTheTable) {
    auto sections = numeric_sections(tool_json());
    const std::regex define(R"(^\s*#\s*define\s+((SSL_OP_|SSL_VERIFY_|X509_V_FLAG_)\w+)(\s|$))");
    const std::map<std::string, std::string> section_of = {
        {"SSL_OP_", "options"}, {"SSL_VERIFY_", "verify_mode"}, {"X509_V_FLAG_", "verify_flags"}};

    std::vector<std::string> files = openssl_header_files();
    ASSERT_FALSE(files.empty());
    std::set<std::string> seen;
    for (const std::string& file : files) {
        std::ifstream in(file);
        for (std::string line; std::getline(in, line);) {
            std::smatch m;
            if (!std::regex_search(line, m, define)) continue;
            const std::string name = m[1];
            const std::string& id = section_of.at(m[2]);
            seen.insert(name);
            EXPECT_TRUE(sections[id].count(name)) << name << " from " << file << " is missing from " << id;
        }
    }
    // A scan that finds nothing proves nothing.
    EXPECT_GT(seen.size(), 60u);
    for (const char* must : {"SSL_OP_NO_COMPRESSION", "SSL_VERIFY_PEER", "X509_V_FLAG_X509_STRICT"}) {
        EXPECT_TRUE(seen.count(must)) << must;
    }
}

TEST(Completeness, NoRowIsOutsideItsCategorysPattern) {
    auto sections = numeric_sections(tool_json());
    for (const auto& [name, value] : sections["options"]) EXPECT_EQ(name.rfind("SSL_OP_", 0), 0u);
    for (const auto& [name, value] : sections["verify_errors"]) {
        EXPECT_TRUE(name == "X509_V_OK" || name.rfind("X509_V_ERR_", 0) == 0) << name;
    }
}

// The build-time HAS_* flags against the headers as a separate compiler run
// preprocesses them: macros from -dM, declarations from the preprocessed text.
// The rules are the test's own, written from each release's headers (4.0,
// for one, removed SSL 3.0 with no OPENSSL_NO_SSL3 left to say so).
struct Preprocessed {
    std::set<std::string> macros;
    std::string text;
    bool defined(const std::string& m) const { return macros.count(m) != 0; }
    bool declares(const std::string& function) const {
        return std::regex_search(text, std::regex("\\b" + function + "\\s*\\("));
    }
};

Preprocessed preprocess_openssl() {
    TempDir dir;
    write_file(dir.path() + "/all.cpp",
               "#include <openssl/ssl.h>\n#include <openssl/x509v3.h>\n"
               "#if __has_include(<openssl/quic.h>)\n#include <openssl/quic.h>\n#endif\n"
               "#if __has_include(<openssl/ech.h>)\n#include <openssl/ech.h>\n#endif\n");
    Preprocessed out;
    for (const bool macros : {true, false}) {
        std::vector<std::string> cmd = compiler_with_flags();
        for (const char* a : {"-x", "c++", "-E"}) cmd.push_back(a);
        if (macros) cmd.push_back("-dM");
        cmd.push_back(dir.path() + "/all.cpp");
        Result r = run(cmd);
        EXPECT_EQ(r.exit_code, 0) << r.err;
        if (!macros) {
            out.text = r.out;
            continue;
        }
        for (const std::string& line : lines_of(r.out)) {
            const auto words = split_words(line);
            if (words.size() >= 2 && words[0] == "#define") out.macros.insert(words[1].substr(0, words[1].find('(')));
        }
    }
    return out;
}

TEST(BuildFlags, AgreeWithTheHeadersPreprocessedSeparately) {
    const Preprocessed h = preprocess_openssl();
    ASSERT_TRUE(h.defined("OPENSSL_VERSION_NUMBER")) << "the preprocessor found no OpenSSL headers";
    auto no = [&](const char* feature) { return h.defined(std::string("OPENSSL_NO_") + feature); };
    const std::map<std::string, bool> expected = {
        {"HAS_SSLv3", !no("SSL3") && h.declares("SSLv3_method")},
        {"HAS_TLSv1", !no("TLS1")},
        {"HAS_TLSv1_1", !no("TLS1_1")},
        {"HAS_TLSv1_2", !no("TLS1_2")},
        {"HAS_TLSv1_3", !no("TLS1_3") && h.defined("TLS1_3_VERSION")},
        {"HAS_DTLSv1", !no("DTLS1")},
        {"HAS_DTLSv1_2", !no("DTLS1_2")},
        {"HAS_ENGINE", !no("ENGINE")},
        {"HAS_COMPRESSION", !no("COMP")},
        {"HAS_SRP", !no("SRP")},
        {"HAS_CT", !no("CT")},
        {"HAS_OCSP", !no("OCSP")},
        {"HAS_SCTP", !no("SCTP")},
        {"HAS_PSK", !no("PSK")},
        {"HAS_CHACHA20_POLY1305", !no("CHACHA") && !no("POLY1305")},
        {"HAS_KTLS", !no("KTLS") && h.defined("SSL_OP_ENABLE_KTLS")},
        {"HAS_QUIC", !no("QUIC") && h.declares("OSSL_QUIC_client_method")},
        {"HAS_QUIC_SERVER", !no("QUIC") && h.declares("OSSL_QUIC_server_method")},
        {"HAS_ECH", !no("ECH") && h.declares("OSSL_ECHSTORE_new")},
        {"HAS_RAW_PUBLIC_KEYS", h.defined("TLSEXT_cert_type_rpk")},
    };
    auto ours = numeric_sections(tool_json())["feature_availability"];
    for (const auto& [flag, available] : expected) {
        ASSERT_TRUE(ours.count(flag)) << flag << " is missing from the table";
        EXPECT_EQ(ours.at(flag), available ? 1 : 0) << flag;
    }
}

}  // namespace
}  // namespace sslfeatures::testing
