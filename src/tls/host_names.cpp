#include "tls/host_names.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <netinet/in.h>

#include <fmt/format.h>

#include "util/error.hpp"

namespace sslfeatures::tls {
namespace {

bool is_label(std::string_view label) {
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    return std::all_of(label.begin(), label.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-';
    });
}

bool all_digits(std::string_view label) {
    return std::all_of(label.begin(), label.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

}  // namespace

std::optional<std::string> ip_address_bytes(std::string_view text) {
    const std::string s(text);  // inet_pton wants a terminated string
    unsigned char bytes[sizeof(in6_addr)];
    if (inet_pton(AF_INET, s.c_str(), bytes) == 1) return std::string(reinterpret_cast<char*>(bytes), 4);
    if (inet_pton(AF_INET6, s.c_str(), bytes) == 1) return std::string(reinterpret_cast<char*>(bytes), 16);
    return std::nullopt;
}

bool is_ip_literal(std::string_view text) { return ip_address_bytes(text).has_value(); }

bool is_host_name(std::string_view name) {
    if (name.empty() || name.size() > 253) return false;
    std::string_view last;
    for (;;) {
        const std::size_t dot = name.find('.');
        last = name.substr(0, dot);
        if (!is_label(last)) return false;
        if (dot == std::string_view::npos) break;
        name.remove_prefix(dot + 1);
    }
    return !all_digits(last);
}

bool is_wildcard_name(std::string_view name) {
    if (!name.starts_with("*.")) return false;
    name.remove_prefix(2);
    return is_host_name(name) && name.find('.') != std::string_view::npos;
}

namespace {

[[noreturn]] void bad_target(std::string_view option, std::string_view text, std::string_view problem, bool port_optional) {
    throw Error(kUsage, fmt::format("{} '{}': {}; write HOST{}, e.g. example.com{}, 127.0.0.1:4433 or [::1]:443", option,
                                    text, problem, port_optional ? "[:PORT]" : ":PORT", port_optional ? "" : ":443"));
}

}  // namespace

std::string HostPort::text() const {
    return host.find(':') != std::string::npos ? fmt::format("[{}]:{}", host, port) : fmt::format("{}:{}", host, port);
}

HostPort parse_host_port(std::string_view text, std::string_view option, std::optional<int> default_port) {
    const bool optional = default_port.has_value();
    auto fail = [&](std::string_view problem) { bad_target(option, text, problem, optional); };
    auto port_of = [&](std::string_view port) {
        if (port.empty()) fail("no port after the ':'");
        if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos) {
            fail(fmt::format("'{}' is not a port number", port));
        }
        const int value = std::stoi(std::string(port));
        if (value < 1 || value > 65535) fail(fmt::format("port {} is not between 1 and 65535", value));
        return value;
    };
    if (text.empty()) fail("no host and port");
    HostPort t{std::string(text), default_port.value_or(0)};
    if (text.front() == '[') {
        const std::size_t close = text.find(']');
        if (close == std::string_view::npos) fail("the '[' of an IPv6 address has no ']'");
        t.host = std::string(text.substr(1, close - 1));
        const std::string_view rest = text.substr(close + 1);
        if (!rest.empty() && rest.front() != ':') fail("no port after the ']' (expected ':PORT')");
        if (!rest.empty()) t.port = port_of(rest.substr(1));
        else if (!optional) fail("no port");
    } else if (const std::size_t colon = text.rfind(':'); colon == std::string_view::npos) {
        if (!optional) fail("no port");
    } else if (optional && text.find(':') != colon && is_ip_literal(text)) {
        // A bare IPv6 address: its colons are its own.
    } else {
        t.host = std::string(text.substr(0, colon));
        if (t.host.find(':') != std::string::npos) fail("an IPv6 address goes in brackets");
        t.port = port_of(text.substr(colon + 1));
    }
    if (t.host.empty()) fail("no host before the port");
    if (!is_ip_literal(t.host) && !is_host_name(t.host)) fail(fmt::format("'{}' is neither a host name nor an IP address", t.host));
    return t;
}

}  // namespace sslfeatures::tls
