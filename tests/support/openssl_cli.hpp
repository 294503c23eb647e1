// The `openssl` command-line tool as an independent judge of certificates and
// keys: tests write PEM files and read back what openssl says about them.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace sslfeatures::testing {

// `openssl ARGS...` from PATH, bounded in time so a hang fails the test.
Result openssl(const std::vector<std::string>& args, const std::string& input = {});

// The openssl command of the OpenSSL the build uses ($SF_TEST_OPENSSL, with
// its own library directory for a private prefix). exit_code -1 and err "no
// openssl command" when meson found none.
Result openssl_under_test(const std::vector<std::string>& args);
// The same command as an argv, for a peer run in the background; empty when
// meson found no openssl command.
std::vector<std::string> openssl_under_test_argv(const std::vector<std::string>& args);

// `openssl x509 -text` of the certificate in `path`; a failed run fails the test.
std::string x509_text(const std::string& path);

struct Verdict {
    bool ok;           // openssl verify exited 0
    std::string text;  // what it printed, stdout and stderr
};

// `openssl verify -CAfile CA EXTRA... CERT`.
Verdict openssl_verify(const std::string& ca, const std::string& cert, const std::vector<std::string>& extra = {});

// "notAfter=Nov 23 02:18:56 2027 GMT" (or the date alone) as a time_t;
// nullopt when it does not parse.
std::optional<std::time_t> parse_openssl_time(const std::string& text);

struct ExtensionText {
    bool critical = false;
    std::string value;  // the first line under the heading, trimmed
};

// An extension in `openssl x509 -text` output, by the heading openssl prints
// ("X509v3 Key Usage"); nullopt when the certificate does not have it.
std::optional<ExtensionText> extension(const std::string& x509_text, const std::string& heading);

// subjectAltName entries from `openssl x509 -text` or `-ext subjectAltName`,
// with IP addresses rewritten in their shortest form ("IP:::1"), because
// openssl releases print IPv6 addresses differently; DNS names as "DNS:name".
std::vector<std::string> san_entries(const std::string& x509_text);

// The lines of `text` with no leading or trailing blanks.
std::string trimmed(const std::string& text);

}  // namespace sslfeatures::testing
