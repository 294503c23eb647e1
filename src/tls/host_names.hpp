// What counts as a host name, an IP address literal and a wildcard name: one
// answer for the client's target, the certificates we make and the report.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <openssl/opensslv.h>
#include <openssl/ssl.h>

namespace sslfeatures::tls {

// The call that gives a connection the DNS name its peer's certificate must
// hold: SSL_set1_host until 4.0, which deprecates it for SSL_set1_dnsname.
#if OPENSSL_VERSION_NUMBER >= 0x40000000L
inline constexpr std::string_view kSetHostCall = "SSL_set1_dnsname";
inline bool set_expected_dns_name(SSL* ssl, const char* name) { return SSL_set1_dnsname(ssl, name) == 1; }
#else
inline constexpr std::string_view kSetHostCall = "SSL_set1_host";
inline bool set_expected_dns_name(SSL* ssl, const char* name) { return SSL_set1_host(ssl, name) == 1; }
#endif

// A numeric IPv4 address in dotted-quad form (no leading zeros, no short
// forms such as 1.2.3) or an IPv6 address, as inet_pton reads them.
bool is_ip_literal(std::string_view text);

// The address's bytes in network order (4 or 16 of them), as a certificate's
// iPAddress entry holds them; nullopt when `text` is not an IP literal.
std::optional<std::string> ip_address_bytes(std::string_view text);

// A host name by RFC 1123: dot-separated labels of 1 to 63 letters, digits
// and hyphens, no hyphen at either end of a label, at most 253 characters,
// and a last label that is not all digits (so 999.1.1.1 is no name).
bool is_host_name(std::string_view name);

// A server to connect to as the user wrote it: "example.com:443",
// "127.0.0.1:4433", "[::1]:443". `host` is bare, without brackets.
struct HostPort {
    std::string host;
    int port = 0;
    std::string text() const;  // as the user writes it, an IPv6 address in brackets
};

// Reads HOST:PORT for `option` ("--connect", "scan"). With `default_port` the
// port may be left out: "example.com", "[::1]", or a bare IPv6 address
// ("::1"; with a port it goes in brackets). Throws Error(kUsage): one line,
// "OPTION 'TEXT': the problem; how to write it".
HostPort parse_host_port(std::string_view text, std::string_view option, std::optional<int> default_port = std::nullopt);

// "*.example.com": a wildcard for the whole leftmost label only, over a name
// of at least two labels ("*.com" would cover a whole top-level domain).
bool is_wildcard_name(std::string_view name);

}  // namespace sslfeatures::tls
