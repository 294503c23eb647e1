// Certificates for TLS tests, made with the `openssl` command-line tool: a
// path independent of the code under test. Made once per test program.
#pragma once

#include <string>

namespace sslfeatures::testing {

class TestCerts {
  public:
    // Files in a temporary directory: ca.crt; *.pem hold certificate + key.
    static const TestCerts& get();

    std::string dir;
    std::string ca;           // trusted test CA
    std::string localhost;    // for localhost, 127.0.0.1, ::1, issued by ca
    std::string client;       // client certificate issued by ca
    std::string wrong_name;   // for other.example only, issued by ca
    std::string other_ca;     // for localhost, issued by a CA nobody trusts
    std::string self_signed;  // for localhost, self-signed
    std::string expired;      // for localhost, expired in 2020
    std::string not_yet;      // for localhost, valid from 2099
    std::string cn_only;      // subject CN=localhost and no subjectAltName, issued by ca

    ~TestCerts();

  private:
    TestCerts();
};

}  // namespace sslfeatures::testing
