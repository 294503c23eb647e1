// Protocol versions in words: how OpenSSL prints them and how -p takes them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sslfeatures::tls {

// OpenSSL's spelling of a protocol version: "SSLv3", "TLSv1", "TLSv1.2";
// anything else as four hex digits.
std::string protocol_name(int version);

// "TLSv1.2" -> TLS1_2_VERSION, also "1.2", "tls1.2", "tls1_2"; nullopt if unknown.
std::optional<int> parse_protocol(std::string_view name);

// The names -p accepts, for help and error messages.
std::string_view protocol_choices();

// The bench's case-name spelling: "tls1.3" ... "tls1.0"; "unknown" else.
std::string_view protocol_id(int version);
std::optional<int> parse_protocol_id(std::string_view id);

// SSL 3.0 to TLS 1.3, oldest first: the stream versions the headers define,
// whether or not this build can speak them.
std::vector<int> stream_protocol_versions();

}  // namespace sslfeatures::tls
