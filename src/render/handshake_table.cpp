#include "render/handshake_table.hpp"

#include <algorithm>

#include "render/features_layout.hpp"

using sslfeatures::render::HandshakeTable;

fmt::format_context::iterator fmt::formatter<HandshakeTable>::format(const HandshakeTable& table,
                                                                     fmt::format_context& ctx) const {
    namespace r = sslfeatures::render;
    std::size_t width = 0;
    for (const auto& result : table.results) width = std::max(width, result.name.size());
    auto out = fmt::format_to(ctx.out(), "{}\n",
                              r::center(fmt::format(" {} ", r::kHandshakeTitle), r::kLineWidth, '-'));
    for (const auto& result : table.results) {
        if (!result.error.empty()) {
            out = fmt::format_to(out, "{:<{}} {:>10}\n", result.name, width, "failed");
            continue;
        }
        const std::string ratio = result.floor_ratio > 0 ? fmt::format("x{:.2f} floor", result.floor_ratio) : "no floor";
        out = fmt::format_to(out, "{:<{}} {:>10.0f}  {:>12}\n", result.name, width, result.rate, ratio);
    }
    return fmt::format_to(out, "\n");
}
