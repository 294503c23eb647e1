// `bench --svg`: the chart holds one bar per case and a floor mark for each
// case that has a floor, and headless Chromium renders it as a picture that
// is not blank.
#include <gtest/gtest.h>

#include <cstdlib>
#include <algorithm>
#include <filesystem>
#include <regex>
#include <sstream>

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
// decoding it with nothing but Python's zlib: an independent reader.
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
    prev = line
print(width, height, ink)
)PY";

bool have_chromium() {
    return run({"sh", "-c", "command -v chromium"}).exit_code == 0;
}

class BenchSvg : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = new TempDir;
        svg_ = dir_->path() + "/chart.svg";
        result_ = new Result(run_tool({"bench", "--quick", "--iterations", "3", "--svg", svg_}));
    }
    static void TearDownTestSuite() {
        delete result_;
        delete dir_;
    }
    static TempDir* dir_;
    static std::string svg_;
    static Result* result_;
};
TempDir* BenchSvg::dir_ = nullptr;
std::string BenchSvg::svg_;
Result* BenchSvg::result_ = nullptr;

TEST_F(BenchSvg, HasABarPerCaseAndAFloorMarkWhereThereIsAFloor) {
    ASSERT_EQ(result_->exit_code, 0) << result_->err;
    const std::string svg = read_file(svg_);
    EXPECT_TRUE(svg.starts_with("<?xml")) << svg.substr(0, 80);
    EXPECT_NE(svg.find("<svg xmlns='http://www.w3.org/2000/svg'"), std::string::npos);
    EXPECT_EQ(count(svg, "fill='#3a6ea5'/>"), 8u + 1) << "eight bars and the legend's";
    // TLS 1.2 resumption has no public-key operation, so no floor: 6 marks.
    EXPECT_EQ(count(svg, "stroke='#d1495b'"), 6u + 1) << "six floors and the legend's";
    EXPECT_EQ(count(svg, "font-weight='bold'>tls1."), 3u) << "one heading per protocol and suite: TLS 1.3 shares one suite";
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
    const std::string png = dir_->path() + "/shot.png";
    Result shot = run({"timeout", "90", "chromium", "--headless", "--no-sandbox", "--disable-gpu",
                       "--hide-scrollbars", "--user-data-dir=" + dir_->path() + "/profile",
                       "--screenshot=" + png, "--window-size=960,400", "file://" + svg_});
    ASSERT_TRUE(std::filesystem::exists(png)) << shot.err;
    TempDir scratch;
    write_file(scratch.path() + "/ink.py", kCountInk);
    Result ink = run({env_or_fail("SF_TEST_PYTHON"), scratch.path() + "/ink.py", png});
    ASSERT_EQ(ink.exit_code, 0) << ink.err;
    std::istringstream in(ink.out);
    long width = 0, height = 0, dark = 0;
    in >> width >> height >> dark;
    EXPECT_EQ(width, 960);
    EXPECT_EQ(height, 400);
    // Text and eight bars: thousands of pixels; a blank page has none.
    EXPECT_GT(dark, 2000) << ink.out;
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

TEST(BenchSvgErrors, AnUnwritableSvgPathIsExit3) {
    Result r = run_tool({"bench", "--quick", "--iterations", "1", "--mode", "full", "--protocol", "tls1.3",
                         "--key", "ecdsa-p256", "--svg", "/nonexistent-dir/chart.svg"});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_NE(r.err.find("/nonexistent-dir/chart.svg"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace sslfeatures::testing
