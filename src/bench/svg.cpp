#include "bench/svg.hpp"

#include <algorithm>

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
    double top = 1;
    for (const CaseResult* r : rows) top = std::max({top, r->rate, floor_rate(*r)});
    const auto x_of = [&](double rate) { return kLabelWidth + rate / top * kBarWidth; };

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
    const int height = y + 16;
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
