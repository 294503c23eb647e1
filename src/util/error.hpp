// The program's error model, shared by every layer: one exit code per cause,
// and the exception that carries a problem the user can fix up to main(),
// which prints it as one line and exits with its code (cli/exit_codes.hpp).
#pragma once

#include <stdexcept>
#include <string>

namespace sslfeatures {

enum ExitCode : int {
    kOk = 0,           // done
    kDifferent = 1,    // a comparison found differences, or a check failed
    kUsage = 2,        // bad command line or bad input file
    kFailure = 3,      // the environment failed us: I/O, OpenSSL, a peer
    kConfig = 4,       // OpenSSL's configuration (openssl.cnf, OPENSSL_CONF) cannot be loaded

    // Why a TLS connection failed (client and server), one code per cause.
    kRefused = 10,          // nothing listens at that address
    kResolve = 11,          // the host name does not resolve
    kTimeout = 12,          // no answer in time
    kPeerClosed = 13,       // the peer closed or reset the connection mid-handshake
    kNotTls = 14,           // the peer does not speak TLS (plain TCP, HTTP ...)
    kNameMismatch = 15,     // the certificate is not for the host name or address
    kUnknownCa = 16,        // the chain does not end at a trusted CA
    kSelfSigned = 17,       // the peer's certificate is self-signed and not trusted
    kExpired = 18,          // a certificate in the chain has expired
    kNotYetValid = 19,      // a certificate in the chain is not valid yet
    kProtocolMismatch = 20, // no protocol version both sides accept
    kCipherMismatch = 21,   // no cipher suite or group both sides accept
    kPeerRejected = 22,     // the peer refused us (alert: e.g. our certificate)
    kVerifyFailed = 23,     // any other certificate verification failure
};

// Thrown by subcommands for a problem the user can fix; main() prints it and
// exits with its code.
class Error : public std::runtime_error {
  public:
    Error(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
    ExitCode code() const { return code_; }

  private:
    ExitCode code_;
};

}  // namespace sslfeatures
