#include "support/openssl_cli.hpp"

#include <arpa/inet.h>
#include <cstdlib>
#include <sstream>

#include <gtest/gtest.h>

namespace sslfeatures::testing {

Result openssl(const std::vector<std::string>& args, const std::string& input) {
    std::vector<std::string> argv{"timeout", "30", "openssl"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, input);
}

std::vector<std::string> openssl_under_test_argv(const std::vector<std::string>& args) {
    const char* program = std::getenv("SF_TEST_OPENSSL");
    if (program == nullptr || *program == '\0') return {};
    const char* libdir = std::getenv("SF_TEST_OPENSSL_LIBDIR");
    std::vector<std::string> argv{program};
    if (libdir != nullptr && *libdir != '\0') argv = {"env", std::string("LD_LIBRARY_PATH=") + libdir, program};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

Result openssl_under_test(const std::vector<std::string>& args) {
    std::vector<std::string> argv = openssl_under_test_argv(args);
    if (argv.empty()) return {-1, "", "no openssl command"};
    argv.insert(argv.begin(), {"timeout", "30"});
    return run(argv);
}

std::string x509_text(const std::string& path) {
    Result r = openssl({"x509", "-in", path, "-noout", "-text"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
}

Verdict openssl_verify(const std::string& ca, const std::string& cert, const std::vector<std::string>& extra) {
    std::vector<std::string> args{"verify", "-CAfile", ca};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(cert);
    Result r = openssl(args);
    return {r.exit_code == 0, r.out + r.err};
}

std::optional<std::time_t> parse_openssl_time(const std::string& text) {
    const std::size_t eq = text.find('=');
    const std::string date = trimmed(eq == std::string::npos ? text : text.substr(eq + 1));
    std::tm tm{};
    const char* end = ::strptime(date.c_str(), "%b %d %H:%M:%S %Y GMT", &tm);
    if (end == nullptr || *end != '\0') return std::nullopt;
    return ::timegm(&tm);
}

std::string trimmed(const std::string& text) {
    const std::size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    const std::size_t last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

std::optional<ExtensionText> extension(const std::string& x509_text, const std::string& heading) {
    const std::vector<std::string> lines = lines_of(x509_text);
    for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
        const std::string line = trimmed(lines[i]);
        if (line.rfind(heading + ":", 0) != 0) continue;
        ExtensionText ext;
        ext.critical = line.find("critical", heading.size()) != std::string::npos;
        ext.value = trimmed(lines[i + 1]);
        return ext;
    }
    return std::nullopt;
}

namespace {

std::string shortest_ip(const std::string& text) {
    unsigned char bytes[16];
    char out[INET6_ADDRSTRLEN];
    for (int family : {AF_INET, AF_INET6}) {
        if (::inet_pton(family, text.c_str(), bytes) == 1 &&
            ::inet_ntop(family, bytes, out, sizeof out) != nullptr) {
            return out;
        }
    }
    return "unparsable:" + text;
}

}  // namespace

std::vector<std::string> san_entries(const std::string& x509_text) {
    std::vector<std::string> entries;
    const auto san = extension(x509_text, "X509v3 Subject Alternative Name");
    if (!san) return entries;
    std::istringstream in(san->value);
    for (std::string entry; std::getline(in, entry, ',');) {
        entry = trimmed(entry);
        const std::string ip_prefix = "IP Address:";
        if (entry.rfind(ip_prefix, 0) == 0) entry = "IP:" + shortest_ip(entry.substr(ip_prefix.size()));
        entries.push_back(entry);
    }
    return entries;
}

}  // namespace sslfeatures::testing
