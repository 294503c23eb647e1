#include "bench/svg.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace sslfeatures::bench {
namespace {

constexpr int kWidth = 960;
constexpr int kLabelWidth = 430;
constexpr int kBarWidth = kWidth - kLabelWidth - 110;
constexpr int kRow = 16;
constexpr int kHeading = 22;
constexpr int kTop = 48;

std::string escaped(std::string_view text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

// "tls1.2/ECDHE-RSA-AES128-GCM-SHA256": the group a row belongs to.
std::string heading_of(const CaseResult& r) {
    const std::string& n = r.name;
    return n.substr(0, n.find('/', n.find('/') + 1));
}

// The rest of the name: key, group, mode.
std::string label_of(const CaseResult& r) {
    const std::string& n = r.name;
    return n.substr(n.find('/', n.find('/') + 1) + 1);
}

// The rate the pairs would reach if public-key work were all they did. The
// measured rate is summed over threads, so the floor is too.
double floor_rate(const CaseResult& r) {
    return r.floor_us > 0 ? r.threads * 1e6 / r.floor_us : 0;
}

// "500", "2k", "10k": a tick's label.
std::string tick_label(double value) {
    if (value >= 1e6) return fmt::format("{:g}M", value / 1e6);
    if (value >= 1e3) return fmt::format("{:g}k", value / 1e3);
    return fmt::format("{:g}", value);
}

// A logarithmic x axis from a power of ten at least half the smallest value
// below it (so the smallest bar stays readable) to the power of ten at or
// above the largest: rates an order of magnitude apart are all legible.
struct LogAxis {
    double low = 1;
    double high = 10;

    LogAxis(double smallest, double largest) {
        low = std::pow(10.0, std::floor(std::log10(std::max(smallest / 2, 1.0))));
        high = std::pow(10.0, std::ceil(std::log10(std::max(largest, low * 10))));
    }
    double x_of(double value) const {
        const double v = std::clamp(value, low, high);
        return kLabelWidth + std::log10(v / low) / std::log10(high / low) * kBarWidth;
    }
    // Grid lines, tick marks and labels at 1, 2 and 5 times each power of
    // ten, from `top` to the axis line at `bottom`, and the axis title.
    std::string render(int top, int bottom, std::string_view title) const {
        std::string out = fmt::format("<line x1='{0}' x2='{1}' y1='{2}' y2='{2}' stroke='black'/>\n", kLabelWidth,
                                      kLabelWidth + kBarWidth, bottom);
        for (double decade = low; decade < high * 1.001; decade *= 10) {
            for (double step : {1.0, 2.0, 5.0}) {
                const double value = decade * step;
                if (value > high * 1.001) break;
                const double x = x_of(value);
                out += fmt::format("<line x1='{0:.1f}' x2='{0:.1f}' y1='{1}' y2='{2}' stroke='#dddddd'/>\n", x, top, bottom);
                out += fmt::format("<line class='tick' x1='{0:.1f}' x2='{0:.1f}' y1='{1}' y2='{2}' stroke='black'/>\n", x,
                                   bottom, bottom + 4);
                out += fmt::format("<text x='{:.1f}' y='{}' text-anchor='middle'>{}</text>\n", x, bottom + 15,
                                   tick_label(value));
            }
        }
        out += fmt::format("<text class='axis-title' x='{}' y='{}' text-anchor='middle'>{}</text>\n",
                           kLabelWidth + kBarWidth / 2, bottom + 30, title);
        return out;
    }
};

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
    double largest = 1;
    double smallest = 0;
    for (const CaseResult* r : rows) {
        for (double v : {r->rate, floor_rate(*r)}) {
            if (v <= 0) continue;
            largest = std::max(largest, v);
            smallest = smallest > 0 ? std::min(smallest, v) : v;
        }
    }
    const LogAxis axis(smallest > 0 ? smallest : 1, largest);
    const auto x_of = [&](double rate) { return axis.x_of(rate); };

    std::string body;
    int y = kTop;
    std::string heading;
    for (const CaseResult* r : rows) {
        if (heading_of(*r) != heading) {
            heading = heading_of(*r);
            y += kHeading - kRow;
            body += fmt::format("<text x='8' y='{}' font-weight='bold'>{}</text>\n", y + 11, escaped(heading));
            y += kRow;
        }
        body += fmt::format("<g><title>{}: {:.0f}/s; crypto floor {:.0f}/s</title>\n", escaped(r->name), r->rate,
                            floor_rate(*r));
        body += fmt::format("<text x='24' y='{}'>{}</text>\n", y + 11, escaped(label_of(*r)));
        body += fmt::format("<rect x='{}' y='{}' width='{:.1f}' height='{}' fill='#3a6ea5'/>\n", kLabelWidth, y + 2,
                            x_of(r->rate) - kLabelWidth, kRow - 4);
        body += fmt::format("<text x='{}' y='{}'>{:.0f}/s</text>\n", kLabelWidth + kBarWidth + 10, y + 11, r->rate);
        if (const double f = floor_rate(*r); f > 0) {
            body += fmt::format("<line x1='{0:.1f}' x2='{0:.1f}' y1='{1}' y2='{2}' stroke='#d1495b' stroke-width='2'/>\n",
                                x_of(f), y, y + kRow);
        }
        body += "</g>\n";
        y += kRow;
    }
    body = axis.render(kTop, y + 4, "handshakes per second (log scale)") + body;
    const int height = y + 44;
    return fmt::format(
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        "<svg xmlns='http://www.w3.org/2000/svg' width='{0}' height='{1}' viewBox='0 0 {0} {1}' "
        "font-family='monospace' font-size='11'>\n"
        "<rect width='100%' height='100%' fill='white'/>\n"
        "<text x='8' y='18' font-size='14' font-weight='bold'>sslfeatures bench: handshakes per second</text>\n"
        "<rect x='8' y='28' width='12' height='8' fill='#3a6ea5'/><text x='24' y='36'>measured</text>\n"
        "<line x1='100' x2='100' y1='26' y2='38' stroke='#d1495b' stroke-width='2'/>"
        "<text x='106' y='36'>crypto floor (the rate if public-key operations were the only cost)</text>\n"
        "{2}</svg>\n",
        kWidth, height, body);
}

}  // namespace sslfeatures::bench
