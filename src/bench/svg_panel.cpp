#include "bench/svg_panel.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace sslfeatures::bench::svg {
namespace {

constexpr int kHeading = 22;
constexpr double kCharWidth = 6.6;  // monospace at 11px

}  // namespace

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

std::string short_number(double value) {
    if (value >= 1e6) return fmt::format("{:g}M", value / 1e6);
    if (value >= 1e3) return fmt::format("{:g}k", value / 1e3);
    return fmt::format("{:g}", value);
}

LogAxis::LogAxis(double smallest, double largest) {
    low_ = std::pow(10.0, std::floor(std::log10(std::max(smallest / 2, 1.0))));
    high_ = std::pow(10.0, std::ceil(std::log10(std::max(largest, low_ * 10))));
}

double LogAxis::x_of(double value) const {
    const double v = std::clamp(value, low_, high_);
    return kLabelWidth + std::log10(v / low_) / std::log10(high_ / low_) * kBarWidth;
}

std::string LogAxis::render(int top, int bottom, std::string_view title) const {
    std::string out = fmt::format("<line x1='{0}' x2='{1}' y1='{2}' y2='{2}' stroke='black'/>\n", kLabelWidth,
                                  kLabelWidth + kBarWidth, bottom);
    for (double decade = low_; decade < high_ * 1.001; decade *= 10) {
        for (double step : {1.0, 2.0, 5.0}) {
            const double value = decade * step;
            if (value > high_ * 1.001) break;
            const double x = x_of(value);
            out += fmt::format("<line x1='{0:.1f}' x2='{0:.1f}' y1='{1}' y2='{2}' stroke='#dddddd'/>\n", x, top, bottom);
            out += fmt::format("<line class='tick' x1='{0:.1f}' x2='{0:.1f}' y1='{1}' y2='{2}' stroke='black'/>\n", x,
                               bottom, bottom + 4);
            out += fmt::format("<text class='tick-label' x='{:.1f}' y='{}' text-anchor='middle'>{}</text>\n", x,
                               bottom + 15, short_number(value));
        }
    }
    out += fmt::format("<text class='axis-title' x='{}' y='{}' text-anchor='middle'>{}</text>\n",
                       kLabelWidth + kBarWidth / 2, bottom + 30, escaped(title));
    return out;
}

Panel::Panel(std::string id, int top) : id_(std::move(id)), top_(top), y_(top) {}

void Panel::heading(std::string_view text) {
    y_ += kHeading - kRow;
    Row row;
    row.label = text;
    items_.push_back({true, y_, std::move(row)});
    y_ += kRow;
}

void Panel::row(Row row) {
    items_.push_back({false, y_, std::move(row)});
    y_ += kRow;
}

std::string Panel::render(std::string_view axis_title) const {
    double largest = 1;
    double smallest = 0;
    const auto fit = [&](double v) {
        if (v <= 0) return;
        largest = std::max(largest, v);
        smallest = smallest > 0 ? std::min(smallest, v) : v;
    };
    for (const Item& item : items_) {
        for (const Bar& bar : item.row.bars) fit(bar.value);
        for (double mark : item.row.marks) fit(mark);
    }
    const LogAxis axis(smallest > 0 ? smallest : 1, largest);
    std::string out = fmt::format("<g id='{}'>\n", escaped(id_)) + axis.render(top_, y_ + 4, axis_title);
    for (const Item& item : items_) {
        const int y = item.y;
        const Row& r = item.row;
        if (item.heading) {
            out += fmt::format("<text x='8' y='{}' font-weight='bold'>{}</text>\n", y + 11, escaped(r.label));
            continue;
        }
        out += fmt::format("<g><title>{}</title>\n", escaped(r.title));
        out += fmt::format("<text x='24' y='{}'>{}</text>\n", y + 11, escaped(r.label));
        for (const Bar& bar : r.bars) {
            const std::string css = bar.css_class.empty() ? "" : fmt::format("class='{}' ", bar.css_class);
            out += fmt::format("<rect {}x='{}' y='{}' width='{:.1f}' height='{}' fill='{}'/>\n", css, kLabelWidth, y + 2,
                               axis.x_of(bar.value) - kLabelWidth, kRow - 4, bar.fill);
        }
        for (double mark : r.marks) {
            if (mark <= 0) continue;
            out += fmt::format("<line x1='{0:.1f}' x2='{0:.1f}' y1='{1}' y2='{2}' stroke='{3}' stroke-width='2'/>\n",
                               axis.x_of(mark), y, y + kRow, kFloorColour);
        }
        if (!r.note.empty()) {
            out += fmt::format("<text x='{}' y='{}'>{}</text>\n", kLabelWidth + kBarWidth + 10, y + 11, escaped(r.note));
        }
        out += "</g>\n";
    }
    return out + "</g>\n";
}

int Panel::end() const {
    return y_ + 44;
}

std::string legend_swatch(int& x, int y, std::string_view fill, std::string_view text) {
    std::string out = fmt::format("<rect x='{}' y='{}' width='12' height='8' fill='{}'/><text x='{}' y='{}'>{}</text>\n",
                                  x, y - 8, fill, x + 16, y, escaped(text));
    x += 16 + static_cast<int>(text.size() * kCharWidth) + 16;
    return out;
}

std::string legend_mark(int& x, int y, std::string_view text) {
    std::string out = fmt::format(
        "<line x1='{0}' x2='{0}' y1='{1}' y2='{2}' stroke='{3}' stroke-width='2'/><text x='{4}' y='{5}'>{6}</text>\n", x,
        y - 10, y + 2, kFloorColour, x + 6, y, escaped(text));
    x += 6 + static_cast<int>(text.size() * kCharWidth) + 16;
    return out;
}

std::string document(std::string_view title, std::string_view legend, std::string_view panels, int height) {
    return fmt::format(
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        "<svg xmlns='http://www.w3.org/2000/svg' width='{0}' height='{1}' viewBox='0 0 {0} {1}' "
        "font-family='monospace' font-size='11'>\n"
        "<rect width='100%' height='100%' fill='white'/>\n"
        "<text x='8' y='18' font-size='14' font-weight='bold'>{2}</text>\n"
        "{3}{4}</svg>\n",
        kWidth, height, escaped(title), legend, panels);
}

}  // namespace sslfeatures::bench::svg
