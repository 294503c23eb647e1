#include "cli/exit_codes.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace sslfeatures::cli {

void print_error(std::string_view message) {
    fmt::print(stderr, "sslfeatures: error: {}\n", message);
}

void print_warning(std::string_view message) {
    fmt::print(stderr, "sslfeatures: warning: {}\n", message);
}

std::string_view exit_code_help() {
    return "Exit codes: 0 ok; 1 differences found or a check failed; "
           "2 usage or input error; 3 I/O or OpenSSL failure; "
           "4 the OpenSSL configuration (openssl.cnf) cannot be loaded; "
           "TLS connections: 10 refused, 11 name does not resolve, 12 timeout, "
           "13 peer closed mid-handshake, 14 peer does not speak TLS, 15 host name mismatch, "
           "16 unknown CA, 17 self-signed certificate, 18 certificate expired, "
           "19 certificate not yet valid, 20 no common protocol version, "
           "21 no common cipher or group, 22 peer refused us, 23 other verification failure.";
}

}  // namespace sslfeatures::cli
