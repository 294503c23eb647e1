#include "bench/bulk_svg.hpp"

#include <fmt/format.h>

#include "bench/svg_panel.hpp"

namespace sslfeatures::bench {
namespace {

constexpr const char* kSendColour = "#3a6ea5";
constexpr const char* kReceiveColour = "#59a14f";

svg::Row side(const BulkResult& r, const char* name, const char* colour, const char* css, double mbps, double floor) {
    const std::string floor_text = floor > 0 ? fmt::format("{:.1f} MB/s", floor) : "none";
    return {.title = fmt::format("{} {}: {:.1f} MB/s; EVP floor {}", r.name, name, mbps, floor_text),
            .label = name,
            .bars = {{mbps, colour, css}},
            .marks = {floor},
            .note = fmt::format("{:.0f} MB/s", mbps)};
}

}  // namespace

std::string render_bulk_svg(const BulkOutcome& outcome) {
    svg::Panel panel("bulk", svg::kFirstPanelTop);
    for (const BulkResult& r : outcome.results) {
        if (!r.error.empty()) continue;
        panel.heading(r.name);
        panel.row(side(r, "send", kSendColour, "send", r.send_mbps, r.floor_seal_mbps));
        panel.row(side(r, "receive", kReceiveColour, "recv", r.receive_mbps, r.floor_open_mbps));
    }
    int x = 8;
    std::string legend = svg::legend_swatch(x, svg::kLegendLine, kSendColour, "send (client CPU)");
    legend += svg::legend_swatch(x, svg::kLegendLine, kReceiveColour, "receive (server CPU)");
    legend += svg::legend_mark(x, svg::kLegendLine, "EVP floor (raw record seal / open)");
    return svg::document("sslfeatures bench: bulk data, MB/s (10^6 payload bytes) per side", legend,
                         panel.render("MB/s on each side's own CPU time (log scale)"), panel.end());
}

}  // namespace sslfeatures::bench
