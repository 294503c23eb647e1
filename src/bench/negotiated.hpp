// What a finished bench handshake negotiated, read off the client's SSL
// object, and the check that it is what the case's name claims.
#pragma once

#include <string>

#include <openssl/ssl.h>

#include "bench/matrix.hpp"

namespace sslfeatures::bench {

struct Negotiated {
    int version = 0;
    std::string cipher;  // OpenSSL's name
    std::string group;   // Group::id, "rsa" for RSA key transport, "" when none
    std::string key;     // tls::key_type_name of the server's certificate key
    bool resumed = false;
};
Negotiated read_negotiated(SSL* client);

// "" when `got` is what `c` claims; otherwise one line saying what differs.
// A resumed TLS 1.2 handshake runs no key exchange, so its group is not
// checked (the priming handshake checked it).
std::string mismatch(const Case& c, const Negotiated& got);

}  // namespace sslfeatures::bench
