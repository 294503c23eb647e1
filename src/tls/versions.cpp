#include "tls/versions.hpp"

#include <cctype>

#include <fmt/format.h>
#include <openssl/ssl.h>

namespace sslfeatures::tls {

std::string protocol_name(int version) {
    if (version == SSL3_VERSION) return "SSLv3";
    if (version == TLS1_VERSION) return "TLSv1";
    if (version > TLS1_VERSION && version <= 0x03ff) return fmt::format("TLSv1.{}", version - TLS1_VERSION);
    return fmt::format("0x{:04x}", version);
}

std::optional<int> parse_protocol(std::string_view name) {
    std::string n;
    for (char c : name) n += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (n.rfind("tlsv", 0) == 0) n = n.substr(4);
    else if (n.rfind("tls", 0) == 0) n = n.substr(3);
    for (char& c : n) {
        if (c == '_') c = '.';
    }
    if (n == "1" || n == "1.0") return TLS1_VERSION;
    if (n == "1.1") return TLS1_1_VERSION;
    if (n == "1.2") return TLS1_2_VERSION;
    if (n == "1.3") return TLS1_3_VERSION;
    return std::nullopt;
}

std::string_view protocol_choices() { return "TLSv1, TLSv1.1, TLSv1.2, TLSv1.3"; }

std::string_view protocol_id(int version) {
    switch (version) {
        case TLS1_3_VERSION: return "tls1.3";
        case TLS1_2_VERSION: return "tls1.2";
        case TLS1_1_VERSION: return "tls1.1";
        case TLS1_VERSION: return "tls1.0";
        default: return "unknown";
    }
}

std::optional<int> parse_protocol_id(std::string_view id) {
    for (int version : {TLS1_3_VERSION, TLS1_2_VERSION, TLS1_1_VERSION, TLS1_VERSION}) {
        if (protocol_id(version) == id) return version;
    }
    return std::nullopt;
}

std::vector<int> stream_protocol_versions() {
    std::vector<int> versions;
#ifdef SSL3_VERSION
    versions.push_back(SSL3_VERSION);
#endif
    versions.push_back(TLS1_VERSION);
    versions.push_back(TLS1_1_VERSION);
    versions.push_back(TLS1_2_VERSION);
#ifdef TLS1_3_VERSION
    versions.push_back(TLS1_3_VERSION);
#endif
    return versions;
}

}  // namespace sslfeatures::tls
