#include "bench/latency_svg.hpp"

#include <algorithm>
#include <cstddef>
#include <iterator>

#include <fmt/format.h>

#include "bench/svg_panel.hpp"

namespace sslfeatures::bench {
namespace {

// One shade per quantile of kLatencyQuantiles, p50 darkest.
constexpr const char* kNames[] = {"p50", "p90", "p99", "p99.9", "max"};
constexpr const char* kClasses[] = {"lat-p50", "lat-p90", "lat-p99", "lat-p999", "lat-max"};
constexpr const char* kShades[] = {"#08519c", "#3182bd", "#6baed6", "#9ecae1", "#c6dbef"};
constexpr std::size_t kQuantiles = std::size(kNames);
static_assert(kQuantiles == std::size(kLatencyCounters));

// Below the panel above: its title's baseline, the legend's, the rows' top.
constexpr int kTitleLine = 16;
constexpr int kLegendLine = 34;
constexpr int kRowsTop = 38;

std::string row_title(const CaseResult& r) {
    std::string text = fmt::format("{}, {} thread{}:", r.name, r.threads, r.threads == 1 ? "" : "s");
    for (std::size_t i = 0; i < kQuantiles; ++i) {
        text += fmt::format("{} {} {:.1f} us", i == 0 ? "" : ",", kNames[i], r.latency_us[i]);
    }
    return text;
}

}  // namespace

std::string latency_panel(const std::vector<const CaseResult*>& rows, int top, int& end) {
    std::vector<const CaseResult*> ordered = rows;
    // Each case's thread counts together, cases in their first order.
    std::vector<std::string> names;
    for (const CaseResult* r : ordered) {
        if (std::find(names.begin(), names.end(), r->name) == names.end()) names.push_back(r->name);
    }
    const auto rank = [&](const CaseResult* r) { return std::find(names.begin(), names.end(), r->name) - names.begin(); };
    std::stable_sort(ordered.begin(), ordered.end(), [&](const CaseResult* a, const CaseResult* b) { return rank(a) < rank(b); });

    std::string out = fmt::format("<text x='8' y='{}' font-size='14' font-weight='bold'>handshake latency: one "
                                  "handshake's wall time, per thread count</text>\n",
                                  top + kTitleLine);
    int x = 8;
    for (std::size_t i = 0; i < kQuantiles; ++i) out += svg::legend_swatch(x, top + kLegendLine, kShades[i], kNames[i]);

    svg::Panel panel("latency", top + kRowsTop);
    std::string heading;
    for (const CaseResult* r : ordered) {
        if (r->name != heading) {
            heading = r->name;
            panel.heading(heading);
        }
        svg::Row row;
        row.title = row_title(*r);
        row.label = fmt::format("{} thread{}", r->threads, r->threads == 1 ? "" : "s");
        row.note = fmt::format("p99 {:.0f} us", r->latency_us[2]);
        // The widest first, so each narrower one is drawn over it.
        for (std::size_t i = kQuantiles; i-- > 0;) row.bars.push_back({r->latency_us[i], kShades[i], kClasses[i]});
        panel.row(std::move(row));
    }
    end = panel.end();
    return out + panel.render("microseconds per handshake (log scale)");
}

}  // namespace sslfeatures::bench
