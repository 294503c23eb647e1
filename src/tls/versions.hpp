// Protocol versions in words: how OpenSSL prints them and how -p takes them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sslfeatures::tls {

// OpenSSL's spelling of a protocol version: "SSLv3", "TLSv1", "TLSv1.2";
// anything else as four hex digits.
std::string protocol_name(int version);

// "TLSv1.2" -> TLS1_2_VERSION, also "1.2", "tls1.2", "tls1_2"; nullopt if unknown.
std::optional<int> parse_protocol(std::string_view name);

// The names -p accepts, for help and error messages.
std::string_view protocol_choices();

}  // namespace sslfeatures::tls
