#include "render/memory_report.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>

using sslfeatures::render::MemoryTable;

fmt::format_context::iterator fmt::formatter<MemoryTable>::format(const MemoryTable& table,
                                                                  fmt::format_context& ctx) const {
    std::size_t width = 4;
    for (const auto& r : table.results) width = std::max(width, r.name.size());
    auto out = fmt::format_to(ctx.out(), "{:<{}} {:>17} {:>17} {:>17} {:>21}\n", "bytes per connection", width,
                              "after handshake", "16 KiB each way", "release buffers",
                              fmt::format("{} pairs, per pair", table.pairs));
    out = fmt::format_to(out, "{:<{}} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>10} {:>10}\n", "case", width, "client",
                         "server", "client", "server", "client", "server", "OpenSSL", "RSS");
    for (const auto& r : table.results) {
        const auto& m = r.connection;
        out = fmt::format_to(out, "{:<{}} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>10.0f} {:>10.0f}\n", r.name, width,
                             m.handshake.client, m.handshake.server, m.exchange.client, m.exchange.server,
                             m.released.client, m.released.server, r.counted.live_bytes, r.resident.rss_bytes);
    }
    return out;
}

namespace sslfeatures::render {

std::string memory_json(const std::vector<bench::MemoryResult>& results, int pairs) {
    nlohmann::json doc;
    doc["context"] = {{"library", OpenSSL_version(OPENSSL_VERSION)},
                      {"measure", "memory"},
                      {"pairs", pairs},
                      {"exchange_bytes", bench::kExchangeBytes}};
    nlohmann::json& list = doc["benchmarks"] = nlohmann::json::array();
    for (const auto& r : results) {
        const auto& m = r.connection;
        list.push_back({{"name", r.name},
                        {"run_name", r.name},
                        {"run_type", "iteration"},
                        {"iterations", 1},
                        {"client_handshake_bytes", m.handshake.client},
                        {"server_handshake_bytes", m.handshake.server},
                        {"client_exchange_bytes", m.exchange.client},
                        {"server_exchange_bytes", m.exchange.server},
                        {"client_released_bytes", m.released.client},
                        {"server_released_bytes", m.released.server},
                        {"transport_bytes", m.transport},
                        {"pair_bytes", m.pair},
                        {"pairs", r.counted.pairs},
                        {"pair_live_bytes", r.counted.live_bytes},
                        {"pair_live_blocks", r.counted.live_blocks},
                        {"pair_counted_heap_bytes", r.counted.heap_bytes},
                        {"pair_heap_bytes", r.resident.heap_bytes},
                        {"pair_rss_bytes", r.resident.rss_bytes},
                        {"pair_hwm_bytes", r.resident.hwm_bytes}});
    }
    return doc.dump(2) + "\n";
}

}  // namespace sslfeatures::render
