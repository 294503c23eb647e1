#include "tls/host_names.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <netinet/in.h>

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

}  // namespace sslfeatures::tls
