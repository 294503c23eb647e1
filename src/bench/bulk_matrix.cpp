#include "bench/bulk_matrix.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace sslfeatures::bench {
namespace {

// --quick: the quick set's suites only (the library's first TLS 1.3 suite,
// its first ECDHE-RSA and ECDHE-ECDSA suites).
bool in_quick_set(const Case& suite) {
    static const std::vector<Case> quick = quick_cases();
    return std::any_of(quick.begin(), quick.end(),
                       [&](const Case& q) { return q.cipher == suite.cipher && q.version == suite.version; });
}

}  // namespace

std::string payload_label(std::size_t bytes) {
    if (bytes >= (std::size_t{1} << 20) && bytes % (std::size_t{1} << 20) == 0) return fmt::format("{}m", bytes >> 20);
    if (bytes >= 1024 && bytes % 1024 == 0) return fmt::format("{}k", bytes / 1024);
    return fmt::format("{}", bytes);
}

std::size_t parse_payload(std::string_view text) {
    std::size_t scale = 1;
    if (!text.empty() && (text.back() == 'k' || text.back() == 'K')) scale = 1024;
    if (!text.empty() && (text.back() == 'm' || text.back() == 'M')) scale = std::size_t{1} << 20;
    if (scale != 1) text.remove_suffix(1);
    std::size_t count = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), count);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size()) return 0;
    if (count == 0 || count > kMaxPayload / scale) return 0;
    return count * scale;
}

std::string BulkCase::name() const {
    const std::string prefix = handshake.name();
    const std::string base = prefix.substr(0, prefix.rfind('/'));
    const char* mac = !cbc ? "" : handshake.encrypt_then_mac ? "-etm" : "-mte";
    return fmt::format("{}/bulk{}-{}", base, mac, payload_label(payload));
}

BulkMatrix build_bulk_matrix(const Selection& selection, const std::vector<std::size_t>& payloads) {
    BulkMatrix matrix;
    const std::vector<std::string> built = available_choices().protocols;
    for (const char* protocol : {"tls1.3", "tls1.2"}) {
        const bool asked = selection.protocols.empty() ||
                           std::find(selection.protocols.begin(), selection.protocols.end(), protocol) !=
                               selection.protocols.end();
        if (asked && std::find(built.begin(), built.end(), protocol) == built.end()) {
            matrix.skipped.push_back({fmt::format("{}/*/*/*/bulk-*", protocol), "not built into this library"});
        }
    }
    for (std::size_t payload : payloads) {
        for (const Case& suite : suite_cases(selection)) {
            if (selection.quick && !in_quick_set(suite)) continue;
            const bool cbc = is_cbc_suite(suite.cipher);
            for (bool etm : {true, false}) {
                if (!etm && !cbc) continue;
                Case handshake = suite;
                handshake.encrypt_then_mac = etm;
                matrix.cases.push_back({handshake, payload, cbc});
            }
        }
    }
    return matrix;
}

}  // namespace sslfeatures::bench
