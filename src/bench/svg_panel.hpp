// What every bench chart draws with: a panel of labelled horizontal bars on
// a logarithmic axis (1-2-5 ticks, a title), with marks across the bars, and
// the SVG document around the panels. The charts (svg, bulk_svg,
// latency_svg) only choose what goes in the rows.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sslfeatures::bench::svg {

inline constexpr int kWidth = 960;
inline constexpr int kLabelWidth = 430;                       // the bars start here
inline constexpr int kBarWidth = kWidth - kLabelWidth - 110;  // the values' column follows
inline constexpr int kRow = 16;
inline constexpr const char* kFloorColour = "#d1495b";

// Text for an SVG element or attribute: & < > " escaped.
std::string escaped(std::string_view text);

// "500", "2k", "10M": a value in few characters.
std::string short_number(double value);

struct Bar {
    double value = 0;
    std::string_view fill;
    std::string_view css_class;  // empty: none
};

struct Row {
    std::string title;            // the tooltip: names and exact figures
    std::string label;            // left of the bars
    std::vector<Bar> bars;        // drawn from the axis in order, each over the last
    std::vector<double> marks;    // vertical floor marks across the row; 0 or less: none
    std::string note;             // right of the bars
};

// A logarithmic x axis from a power of ten at least half the smallest value
// below it (so the smallest bar stays readable) to the power of ten at or
// above the largest: values orders of magnitude apart are all legible.
class LogAxis {
  public:
    LogAxis(double smallest, double largest);
    double x_of(double value) const;
    // Grid lines, ticks and their labels at 1, 2 and 5 times each power of
    // ten, from `top` to the axis line at `bottom`, and the axis title.
    std::string render(int top, int bottom, std::string_view title) const;

  private:
    double low_ = 1;
    double high_ = 10;
};

// One panel: headings and rows down from `top`, over one axis fitted to
// every positive value and mark of the rows.
class Panel {
  public:
    Panel(std::string id, int top);
    void heading(std::string_view text);
    void row(Row row);
    // The panel as a group (id as given), axis beneath its rows; `end()`
    // then tells where the next panel may start.
    std::string render(std::string_view axis_title) const;
    int end() const;

  private:
    struct Item {
        bool heading = false;
        int y = 0;
        Row row;
    };
    std::string id_;
    int top_;
    int y_;
    std::vector<Item> items_;
};

// A legend entry at x on a line of text whose baseline is y (36 under the
// title): a swatch, or a floor mark; returns the markup and moves x past it.
inline constexpr int kLegendLine = 36;
std::string legend_swatch(int& x, int y, std::string_view fill, std::string_view text);
std::string legend_mark(int& x, int y, std::string_view text);

// A standalone document: white background, the title and the legend line,
// then the panels; the height fits the last panel.
std::string document(std::string_view title, std::string_view legend, std::string_view panels, int height);

// Where the first panel starts, below the title and legend.
inline constexpr int kFirstPanelTop = 48;

}  // namespace sslfeatures::bench::svg
