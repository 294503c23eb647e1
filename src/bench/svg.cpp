#include "bench/svg.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "bench/latency_svg.hpp"
#include "bench/svg_panel.hpp"

namespace sslfeatures::bench {
namespace {

constexpr const char* kMeasuredColour = "#3a6ea5";

// "tls1.2/ECDHE-RSA-AES128-GCM-SHA256": the group a row belongs to.
std::string heading_of(const CaseResult& r) {
    const std::string& n = r.name;
    return n.substr(0, n.find('/', n.find('/') + 1));
}

// The rest of the name: key, group, mode; and the threads when several ran.
std::string label_of(const CaseResult& r) {
    const std::string& n = r.name;
    std::string label = n.substr(n.find('/', n.find('/') + 1) + 1);
    if (r.threads > 1) label += fmt::format(" x{}", r.threads);
    return label;
}

// The rate the pairs would reach if public-key work were all they did. The
// measured rate is summed over threads, so the floor is too.
double floor_rate(const CaseResult& r) {
    return r.floor_us > 0 ? r.threads * 1e6 / r.floor_us : 0;
}

}  // namespace

std::string render_svg(const Outcome& outcome) {
    std::vector<const CaseResult*> rows;
    for (const CaseResult& r : outcome.results) {
        if (r.error.empty()) rows.push_back(&r);
    }
    // Grouped by protocol and suite, groups and rows in matrix order.
    std::vector<std::string> order;
    for (const CaseResult* r : rows) {
        if (std::find(order.begin(), order.end(), heading_of(*r)) == order.end()) order.push_back(heading_of(*r));
    }
    const auto rank = [&](const CaseResult* r) { return std::find(order.begin(), order.end(), heading_of(*r)) - order.begin(); };
    std::stable_sort(rows.begin(), rows.end(), [&](const CaseResult* a, const CaseResult* b) { return rank(a) < rank(b); });

    svg::Panel panel("throughput", svg::kFirstPanelTop);
    std::string heading;
    for (const CaseResult* r : rows) {
        if (heading_of(*r) != heading) {
            heading = heading_of(*r);
            panel.heading(heading);
        }
        const std::string threads = r->threads > 1 ? fmt::format(" ({} threads)", r->threads) : "";
        panel.row({.title = fmt::format("{}: {:.0f}/s; crypto floor {:.0f}/s{}", r->name, r->rate, floor_rate(*r), threads),
                   .label = label_of(*r),
                   .bars = {{r->rate, kMeasuredColour, {}}},
                   .marks = {floor_rate(*r)},
                   .note = fmt::format("{:.0f}/s", r->rate)});
    }
    std::string panels = panel.render("handshakes per second (log scale)");
    int bottom = panel.end();
    panels += latency_panel(rows, bottom, bottom);

    int x = 8;
    std::string legend = svg::legend_swatch(x, svg::kLegendLine, kMeasuredColour, "measured");
    legend += svg::legend_mark(x, svg::kLegendLine, "crypto floor (the rate if public-key operations were the only cost)");
    return svg::document("sslfeatures bench: handshakes per second", legend, panels, bottom);
}

}  // namespace sslfeatures::bench
