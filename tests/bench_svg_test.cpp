// `bench --svg`: the chart holds one bar per case and a floor mark for each
// case that has a floor, and headless Chromium renders it as a picture that
// is not blank. Its latency panel and the bulk chart (`--measure bulk --svg`)
// are read back here by their own axes: every bar's drawn length, turned
// into a value through the tick labels, is the JSON figure of the same run,
// and Chromium paints each bar's colour where the bar should be.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdlib>
#include <algorithm>
#include <filesystem>
#include <regex>
#include <sstream>
#include <tuple>

#include <nlohmann/json.hpp>

#include "support/process.hpp"

namespace sslfeatures::testing {
namespace {

std::size_t count(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

// Counts the pixels of an 8-bit RGB or RGBA PNG that are not near-white,
// decoding it with nothing but Python's zlib: an independent reader. Then,
// for each "x,y" argument after the file, that pixel's "r g b" on a line.
constexpr const char* kCountInk = R"PY(
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
pos, idat = 8, b''
while pos < len(data):
    length, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b'IHDR':
        width, height, depth, colour = struct.unpack('>IIBB', body[:10])
    elif kind == b'IDAT':
        idat += body
    pos += 12 + length
assert depth == 8 and colour in (2, 6), (depth, colour)
bpp = 3 if colour == 2 else 4
raw = zlib.decompress(idat)
stride = width * bpp
prev = bytearray(stride)
ink = 0
points = [tuple(int(v) for v in a.split(',')) for a in sys.argv[2:]]
colours = {}
for y in range(height):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp):
        if min(line[x:x + 3]) < 200:
            ink += 1
    for (px, py) in points:
        if py == y:
            colours[(px, py)] = tuple(line[px * bpp:px * bpp + 3])
    prev = line
print(width, height, ink)
for p in points:
    print(*colours[p])
)PY";

bool have_chromium() {
    return run({"sh", "-c", "command -v chromium"}).exit_code == 0;
}

struct Picture {
    long width = 0, height = 0, ink = 0;
    std::vector<std::array<int, 3>> colours;  // one per point asked for
    std::string error;
};

// Headless Chromium's picture of the SVG at 960 x `height`, read back by
// kCountInk: its size, its ink, and the colour at each of `points`.
Picture screenshot(const std::string& svg, int height, const std::vector<std::pair<int, int>>& points) {
    Picture picture;
    TempDir scratch;
    const std::string png = scratch.path() + "/shot.png";
    Result shot = run({"timeout", "90", "chromium", "--headless", "--no-sandbox", "--disable-gpu",
                       "--hide-scrollbars", "--user-data-dir=" + scratch.path() + "/profile",
                       "--screenshot=" + png, "--window-size=960," + std::to_string(height), "file://" + svg});
    if (!std::filesystem::exists(png)) {
        picture.error = "no screenshot: " + shot.err;
        return picture;
    }
    write_file(scratch.path() + "/ink.py", kCountInk);
    std::vector<std::string> argv{env_or_fail("SF_TEST_PYTHON"), scratch.path() + "/ink.py", png};
    for (const auto& [x, y] : points) argv.push_back(std::to_string(x) + "," + std::to_string(y));
    Result ink = run(argv);
    if (ink.exit_code != 0) {
        picture.error = "the PNG reader failed: " + ink.err;
        return picture;
    }
    std::istringstream in(ink.out);
    in >> picture.width >> picture.height >> picture.ink;
    for (std::size_t i = 0; i < points.size(); ++i) {
        std::array<int, 3> c{};
        in >> c[0] >> c[1] >> c[2];
        picture.colours.push_back(c);
    }
    return picture;
}

std::array<int, 3> rgb_of(const std::string& hex) {
    return {std::stoi(hex.substr(1, 2), nullptr, 16), std::stoi(hex.substr(3, 2), nullptr, 16),
            std::stoi(hex.substr(5, 2), nullptr, 16)};
}

bool near(const std::array<int, 3>& a, const std::array<int, 3>& b) {
    for (int i = 0; i < 3; ++i) {
        if (std::abs(a[i] - b[i]) > 8) return false;
    }
    return true;
}

// What one row of a panel draws, read from the SVG text.
struct DrawnBar {
    std::string css_class;
    int y = 0;
    double width = 0;
    std::string fill;
};
struct DrawnRow {
    std::string title;
    std::vector<DrawnBar> bars;
    std::vector<double> marks;  // x of each floor mark
};

std::vector<DrawnRow> rows_of(const std::string& panel) {
    static const std::regex bar("<rect (?:class='([a-z0-9-]+)' )?x='430' y='([0-9]+)' width='([0-9.]+)' height='12' fill='(#[0-9a-f]{6})'/>");
    static const std::regex mark("<line x1='([0-9.]+)' x2='[0-9.]+' y1='[0-9]+' y2='[0-9]+' stroke='#d1495b'");
    std::vector<DrawnRow> rows;
    const std::string open = "<g><title>";
    for (std::size_t at = panel.find(open); at != std::string::npos; at = panel.find(open, at + 1)) {
        const std::size_t title_end = panel.find("</title>", at);
        const std::size_t end = panel.find("</g>", at);
        DrawnRow r{panel.substr(at + open.size(), title_end - at - open.size()), {}, {}};
        const std::string body = panel.substr(title_end, end - title_end);
        for (auto b = std::sregex_iterator(body.begin(), body.end(), bar); b != std::sregex_iterator(); ++b) {
            r.bars.push_back({(*b)[1], std::stoi((*b)[2]), std::stod((*b)[3]), (*b)[4]});
        }
        for (auto m = std::sregex_iterator(body.begin(), body.end(), mark); m != std::sregex_iterator(); ++m) {
            r.marks.push_back(std::stod((*m)[1]));
        }
        rows.push_back(std::move(r));
    }
    return rows;
}

// The value at an x of a panel, read off its tick labels ("200", "5k", "1M")
// as a log scale through the first and last tick.
class TickScale {
  public:
    explicit TickScale(const std::string& panel) {
        static const std::regex tick("<text class='tick-label' x='([0-9.]+)' y='[0-9]+' text-anchor='middle'>([0-9.]+)([kM]?)</text>");
        for (auto it = std::sregex_iterator(panel.begin(), panel.end(), tick); it != std::sregex_iterator(); ++it) {
            const double scale = (*it)[3] == "k" ? 1e3 : (*it)[3] == "M" ? 1e6 : 1;
            ticks_.emplace_back(std::stod((*it)[1]), std::stod((*it)[2]) * scale);
        }
    }
    std::size_t ticks() const { return ticks_.size(); }
    double value_at(double x) const {
        const auto [x0, v0] = ticks_.front();
        const auto [x1, v1] = ticks_.back();
        return std::pow(10.0, std::log10(v0) + (x - x0) / (x1 - x0) * (std::log10(v1) - std::log10(v0)));
    }

  private:
    std::vector<std::pair<double, double>> ticks_;
};

// A panel read back beside the run's JSON: its axis, whose title must be
// `axis_title` and which must have ticks over two decades, and its rows.
struct ReadBack {
    TickScale scale;
    std::vector<DrawnRow> rows;
    nlohmann::json doc;
};
ReadBack read_back(const std::string& panel, const std::string& axis_title, const std::string& json) {
    EXPECT_NE(panel.find("<text class='axis-title'"), std::string::npos);
    EXPECT_NE(panel.find(">" + axis_title + "</text>"), std::string::npos) << axis_title;
    ReadBack back{TickScale(panel), rows_of(panel), nlohmann::json::parse(json)};
    EXPECT_GE(back.scale.ticks(), 4u) << "ticks at 1, 2 and 5 per decade, over two decades at least";
    return back;
}

// The SVG's height, from its root element.
int height_of(const std::string& svg) {
    std::smatch m;
    if (!std::regex_search(svg, m, std::regex("<svg [^>]*height='([0-9]+)'"))) return 0;
    return std::stoi(m[1]);
}

// A benchmark's name without Google Benchmark's suffixes.
std::string case_name(const nlohmann::json& benchmark) {
    const std::string name = benchmark.at("run_name").get<std::string>();
    return name.substr(0, name.find("/iterations:"));
}

// The number after `label` in `text` (-1 when absent).
double figure_after(const std::string& text, const std::string& label) {
    const std::size_t at = text.find(label);
    return at == std::string::npos ? -1 : std::stod(text.substr(at + label.size()));
}

// One run shared by a suite's tests: `bench`, Run::args(), then --svg FILE.
template <typename Run>
class ChartRun : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = new TempDir;
        svg_ = dir_->path() + "/chart.svg";
        std::vector<std::string> args = Run::args();
        args.insert(args.end(), {"--svg", svg_});
        result_ = new Result(run_tool(args));
    }
    static void TearDownTestSuite() {
        delete result_;
        delete dir_;
    }
    static inline TempDir* dir_ = nullptr;
    static inline std::string svg_;
    static inline Result* result_ = nullptr;
};

struct HandshakeRun {
    static std::vector<std::string> args() { return {"bench", "--quick", "--iterations", "3"}; }
};
using BenchSvg = ChartRun<HandshakeRun>;

TEST_F(BenchSvg, HasABarPerCaseAndAFloorMarkWhereThereIsAFloor) {
    ASSERT_EQ(result_->exit_code, 0) << result_->err;
    const std::string svg = read_file(svg_);
    EXPECT_TRUE(svg.starts_with("<?xml")) << svg.substr(0, 80);
    EXPECT_NE(svg.find("<svg xmlns='http://www.w3.org/2000/svg'"), std::string::npos);
    EXPECT_EQ(count(svg, "fill='#3a6ea5'/>"), 8u + 1) << "eight bars and the legend's";
    // TLS 1.2 resumption has no public-key operation, so no floor: 6 marks.
    EXPECT_EQ(count(svg, "stroke='#d1495b'"), 6u + 1) << "six floors and the legend's";
    const std::string throughput = svg.substr(0, svg.find("<g id='latency'>"));
    EXPECT_EQ(count(throughput, "font-weight='bold'>tls1."), 3u) << "one heading per protocol and suite: TLS 1.3 shares one suite";
    // No temporary left behind (util::write_file_atomically writes beside it, then renames).
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_->path()), std::filesystem::directory_iterator()), 1);
}

// Full handshakes (about 1,500/s) beside TLS 1.2 resumption (about 15,000/s)
// were slivers on a linear scale: on the log axis every bar can be read.
TEST_F(BenchSvg, HasALabelledLogAxisOnWhichEveryBarCanBeRead) {
    ASSERT_EQ(result_->exit_code, 0) << result_->err;
    const std::string svg = read_file(svg_);
    EXPECT_NE(svg.find("class='axis-title'"), std::string::npos);
    EXPECT_NE(svg.find("handshakes per second (log scale)</text>"), std::string::npos);
    EXPECT_GE(count(svg, "<line class='tick'"), 4u) << "ticks at 1, 2 and 5 per decade, over two decades at least";
    const std::regex bar("<rect x='430' y='[0-9]+' width='([0-9.]+)'");
    std::vector<double> widths;
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), bar); it != std::sregex_iterator(); ++it) {
        widths.push_back(std::stod((*it)[1]));
    }
    ASSERT_EQ(widths.size(), 8u);
    const auto [narrowest, widest] = std::minmax_element(widths.begin(), widths.end());
    EXPECT_GE(*narrowest, 0.25 * *widest) << "the narrowest bar is a sliver beside the widest";
}

TEST_F(BenchSvg, ChromiumRendersItAsAPictureThatIsNotBlank) {
    if (!have_chromium()) GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh installs it)";
    ASSERT_EQ(result_->exit_code, 0) << result_->err;
    const Picture shot = screenshot(svg_, 400, {});
    ASSERT_TRUE(shot.error.empty()) << shot.error;
    EXPECT_EQ(shot.width, 960);
    EXPECT_EQ(shot.height, 400);
    // Text and eight bars: thousands of pixels; a blank page has none.
    EXPECT_GT(shot.ink, 2000);
}

// With N threads the measured rate is the N pairs' sum, so the floor mark
// is N times one pair's floor rate; checked against the JSON's floor_us.
TEST(BenchSvgThreads, TheFloorMarkScalesWithTheThreads) {
    TempDir dir;
    const std::string svg = dir.path() + "/chart.svg";
    Result r = run_tool({"bench", "--quick", "--protocol", "tls1.3", "--mode", "full", "--iterations", "3",
                         "--threads", "2", "--benchmark_format=json", "--svg", svg});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string chart = read_file(svg);
    int checked = 0;
    const nlohmann::json doc = nlohmann::json::parse(r.out);
    for (const auto& b : doc.at("benchmarks")) {
        std::string name = b.at("run_name").get<std::string>();
        name = name.substr(0, name.find("/iterations:"));
        const std::string title = "<title>" + name + ": ";
        const std::size_t at = chart.find(title);
        ASSERT_NE(at, std::string::npos) << name;
        const std::size_t floor_at = chart.find("crypto floor ", at) + std::string("crypto floor ").size();
        const double drawn = std::stod(chart.substr(floor_at));
        EXPECT_NEAR(drawn, 2 * 1e6 / b.at("floor_us").get<double>(), 1) << name;
        ++checked;
    }
    EXPECT_EQ(checked, 2);
}

// A bar no wider than this is a sliver; the log axes keep every bar above it.
constexpr double kReadable = 24;

// `bench --measure bulk --svg`: one run gives the JSON and the chart.
struct BulkRun {
    static std::vector<std::string> args() {
        return {"bench", "--measure", "bulk", "--quick", "--size", "1k,16k", "--iterations", "100", "--benchmark_format=json"};
    }
};
using BulkSvg = ChartRun<BulkRun>;

TEST_F(BulkSvg, EachCaseHasASendAndAReceiveBarWithItsFloorAtTheJsonFigures) {
    ASSERT_EQ(result_->exit_code, 0) << result_->err;
    const auto [scale, rows, doc] = read_back(read_file(svg_), "MB/s on each side's own CPU time (log scale)", result_->out);
    ASSERT_EQ(doc.at("benchmarks").size(), 6u) << "three suites at two sizes";
    EXPECT_EQ(rows.size(), 2 * doc.at("benchmarks").size());
    for (const auto& b : doc.at("benchmarks")) {
        const std::string name = case_name(b);
        for (const auto& [side, rate, floor] : {std::tuple{"send", "send_MBps", "floor_seal_MBps"},
                                                std::tuple{"receive", "recv_MBps", "floor_open_MBps"}}) {
            SCOPED_TRACE(name + " " + side);
            // A lambda may not capture a structured binding before C++20's
            // P1091 reached every compiler (clang 15): a plain copy it can.
            const std::string prefix = name + " " + side + ":";
            const auto row = std::find_if(rows.begin(), rows.end(),
                                          [&](const DrawnRow& r) { return r.title.starts_with(prefix); });
            ASSERT_NE(row, rows.end());
            const double json_rate = b.at(rate).get<double>();
            const double json_floor = b.at(floor).get<double>();
            ASSERT_GT(json_floor, 0) << "every quick suite has an EVP floor";
            EXPECT_NEAR(figure_after(row->title, ": "), json_rate, 0.051);
            EXPECT_NEAR(figure_after(row->title, "EVP floor "), json_floor, 0.051);
            ASSERT_EQ(row->bars.size(), 1u);
            ASSERT_EQ(row->marks.size(), 1u) << "the floor is marked on every bar";
            // Read off the axis, the drawn lengths are the same figures.
            EXPECT_NEAR(scale.value_at(430 + row->bars[0].width) / json_rate, 1, 0.01);
            EXPECT_NEAR(scale.value_at(row->marks[0]) / json_floor, 1, 0.01);
            EXPECT_GE(row->bars[0].width, kReadable);
        }
    }
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_->path()), std::filesystem::directory_iterator()), 1)
        << "no temporary left beside the chart";
}

// Every bar, painted: its colour at its middle, and each floor mark red.
TEST_F(BulkSvg, ChromiumPaintsEveryBarAndEveryFloorMark) {
    if (!have_chromium()) GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh installs it)";
    ASSERT_EQ(result_->exit_code, 0) << result_->err;
    const std::string svg = read_file(svg_);
    std::vector<std::pair<int, int>> points;
    std::vector<std::array<int, 3>> expected;
    std::vector<bool> is_mark;
    for (const DrawnRow& row : rows_of(svg)) {
        for (const DrawnBar& bar : row.bars) {
            double x = 430 + bar.width / 2;
            if (!row.marks.empty() && std::abs(row.marks[0] - x) < 4) x = 430 + bar.width / 4;
            points.emplace_back(static_cast<int>(x), bar.y + 6);
            expected.push_back(rgb_of(bar.fill));
            is_mark.push_back(false);
            for (double m : row.marks) {
                points.emplace_back(static_cast<int>(m), bar.y + 6);
                expected.push_back(rgb_of("#d1495b"));
                is_mark.push_back(true);
            }
        }
    }
    ASSERT_EQ(points.size(), 24u) << "twelve bars and twelve marks";
    const Picture shot = screenshot(svg_, height_of(svg), points);
    ASSERT_TRUE(shot.error.empty()) << shot.error;
    EXPECT_EQ(shot.height, height_of(svg));
    for (std::size_t i = 0; i < points.size(); ++i) {
        const auto& c = shot.colours[i];
        EXPECT_TRUE(near(c, expected[i])) << (is_mark[i] ? "mark" : "bar") << " at " << points[i].first << ","
                                          << points[i].second << ": " << c[0] << " " << c[1] << " " << c[2];
    }
}

// The handshake chart's latency panel: per case and thread count, five
// nested bars (p50 ... max) whose lengths are the JSON's lat_*_us.
struct LatencyRun {
    static std::vector<std::string> args() {
        return {"bench", "--quick", "--protocol", "tls1.3", "--key", "ecdsa-p256", "--iterations", "20",
                "--threads", "1,2", "--benchmark_format=json"};
    }
};
using BenchSvgLatency = ChartRun<LatencyRun>;

TEST_F(BenchSvgLatency, EachThreadCountHasItsPercentilesAtTheJsonFigures) {
    ASSERT_EQ(result_->exit_code, 0) << result_->err;
    const std::string svg = read_file(svg_);
    const std::size_t at = svg.find("<g id='latency'>");
    ASSERT_NE(at, std::string::npos);
    const auto [scale, rows, doc] = read_back(svg.substr(at), "microseconds per handshake (log scale)", result_->out);
    ASSERT_EQ(doc.at("benchmarks").size(), 4u) << "full and ticket at 1 and 2 threads";
    EXPECT_EQ(rows.size(), 4u);
    const char* names[] = {"p50", "p90", "p99", "p99.9", "max"};
    const char* counters[] = {"lat_p50_us", "lat_p90_us", "lat_p99_us", "lat_p999_us", "lat_max_us"};
    const char* classes[] = {"lat-p50", "lat-p90", "lat-p99", "lat-p999", "lat-max"};
    std::vector<std::pair<int, int>> points;
    std::vector<std::string> fills;
    for (const auto& b : doc.at("benchmarks")) {
        const int threads = b.at("threads").get<int>();
        const std::string prefix = case_name(b) + ", " + std::to_string(threads) + " thread";
        SCOPED_TRACE(prefix);
        const auto row = std::find_if(rows.begin(), rows.end(), [&](const DrawnRow& d) { return d.title.starts_with(prefix); });
        ASSERT_NE(row, rows.end());
        ASSERT_EQ(row->bars.size(), 5u);
        double narrower = 0;  // the width of the bar drawn over this one
        for (int i = 0; i < 5; ++i) {
            const double json = b.at(counters[i]).get<double>();
            EXPECT_NEAR(figure_after(row->title, std::string(" ") + names[i] + " "), json, 0.051) << names[i];
            // Drawn widest first: max, p99.9, ... p50 on top.
            const DrawnBar& bar = row->bars[4 - i];
            EXPECT_EQ(bar.css_class, classes[i]);
            EXPECT_NEAR(scale.value_at(430 + bar.width) / json, 1, 0.01) << names[i];
            EXPECT_GE(bar.width, kReadable) << names[i];
            // Where a bar reaches past the one over it, Chromium shows its colour.
            if (bar.width - narrower >= 4) {
                points.emplace_back(static_cast<int>(430 + (narrower + bar.width) / 2), bar.y + 6);
                fills.push_back(bar.fill);
            }
            narrower = bar.width;
        }
    }
    if (!have_chromium()) GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh installs it)";
    const Picture shot = screenshot(svg_, height_of(svg), points);
    ASSERT_TRUE(shot.error.empty()) << shot.error;
    for (std::size_t i = 0; i < points.size(); ++i) {
        const auto& c = shot.colours[i];
        EXPECT_TRUE(near(c, rgb_of(fills[i]))) << fills[i] << " at " << points[i].first << "," << points[i].second
                                               << ": " << c[0] << " " << c[1] << " " << c[2];
    }
}

TEST(BenchSvgErrors, AnUnwritableSvgPathIsExit3) {
    Result r = run_tool({"bench", "--quick", "--iterations", "1", "--mode", "full", "--protocol", "tls1.3",
                         "--key", "ecdsa-p256", "--svg", "/nonexistent-dir/chart.svg"});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_NE(r.err.find("/nonexistent-dir/chart.svg"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace sslfeatures::testing
