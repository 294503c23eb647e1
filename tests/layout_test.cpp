// The layout rules of the features table, on the formatting functions.
// Expected values come from layouts.md and from Python's own behaviour, not
// from the code under test.
#include <gtest/gtest.h>

#include <string>

#include "render/features_layout.hpp"

namespace sslfeatures::render {
namespace {

using reflect::Value;

std::size_t leading(const std::string& s, char c) { return s.find_first_not_of(c); }
std::size_t trailing(const std::string& s, char c) { return s.size() - 1 - s.find_last_not_of(c); }

TEST(Center, PutsTheOddDashOnTheRightForWidth72) {
    // layouts.md: " verify_mode " 29 left, 30 right; " options " 31 and 32;
    // " protocol " 31 and 31.
    std::string vm = center(" verify_mode ", 72, '-');
    EXPECT_EQ(vm.size(), 72u);
    EXPECT_EQ(leading(vm, '-'), 29u);
    EXPECT_EQ(trailing(vm, '-'), 30u);
    std::string op = center(" options ", 72, '-');
    EXPECT_EQ(leading(op, '-'), 31u);
    EXPECT_EQ(trailing(op, '-'), 32u);
    std::string pr = center(" protocol ", 72, '-');
    EXPECT_EQ(leading(pr, '-'), 31u);
    EXPECT_EQ(trailing(pr, '-'), 31u);
}

TEST(Center, FollowsPythonWhenWidthAndPaddingAreBothOdd) {
    // Python: 'ab'.center(5, '-') == '--ab-' but 'abc'.center(6, '-') == '-abc--'.
    EXPECT_EQ(center("ab", 5, '-'), "--ab-");
    EXPECT_EQ(center("abc", 6, '-'), "-abc--");
    EXPECT_EQ(center("toolong", 3, '-'), "toolong");
}

TEST(Row, MatchesTheChaptersExampleRow) {
    // layouts.md, section 1, for OpenSSL 3.0 headers.
    EXPECT_EQ(features_row("SSL_OP_NO_COMPRESSION", Value{131072, false}),
              "SSL_OP_NO_COMPRESSION           131072                100000000000000000");
}

TEST(Row, FieldWidthsAre27And10And32) {
    std::string row = features_row("X", Value{5, false});
    ASSERT_EQ(row.size(), 27u + 1 + 10 + 2 + 32);
    EXPECT_EQ(row.substr(0, 27), "X" + std::string(26, ' '));
    EXPECT_EQ(row.substr(27, 1 + 10 + 2), std::string(1 + 9, ' ') + "5  ");
    EXPECT_EQ(row.substr(40), std::string(29, ' ') + "101");
}

TEST(Row, ZeroIsPrintedAsZeroInBinary) {
    std::string row = features_row("SSL_OP_NO_SSLv2", Value{0, false});
    EXPECT_EQ(row.substr(27), std::string(10, ' ') + "0  " + std::string(31, ' ') + "0");
}

TEST(Row, LongNamesAndNumbersWidenTheirFieldsAndAreNeverCut) {
    const std::string name = "SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION";
    std::string row = features_row(name, Value{65536, false});
    EXPECT_EQ(row.rfind(name + " ", 0), 0u) << row;
    // Python: '{:27} {:10}  {:32b}'.format(name, 65536, 65536)
    EXPECT_EQ(row, name + "      65536                 10000000000000000");
}

TEST(Row, SixtyFourBitValuesArePrintedWhole) {
    // OpenSSL 3.5 defines SSL_OP_* bits 32 to 35.
    const std::uint64_t bit35 = std::uint64_t{1} << 35;
    std::string row = features_row("SSL_OP_BIT35", Value{bit35, false});
    EXPECT_NE(row.find(" 34359738368  "), std::string::npos) << row;
    EXPECT_EQ(row.substr(row.size() - 36), "1" + std::string(35, '0'));
    EXPECT_EQ(decimal(Value{~std::uint64_t{0}, false}), "18446744073709551615");
    EXPECT_EQ(binary(Value{~std::uint64_t{0}, false}), std::string(64, '1'));
}

TEST(Row, NegativeValuesPrintLikePython) {
    // Python: format(-5, 'd') == '-5', format(-5, 'b') == '-101', hex(-5) == '-0x5'
    Value minus5{5, true};
    EXPECT_EQ(decimal(minus5), "-5");
    EXPECT_EQ(binary(minus5), "-101");
    EXPECT_EQ(hex(minus5), "-0x5");
}

TEST(Value, OrdersNegativesBeforePositives) {
    EXPECT_LT((Value{5, true}), (Value{1, true}));
    EXPECT_LT((Value{1, true}), (Value{0, false}));
    EXPECT_LT((Value{0, false}), (Value{std::uint64_t{1} << 63, false}));
    EXPECT_EQ(reflect::value_of(-7), (Value{7, true}));
    EXPECT_EQ(reflect::value_of(std::uint64_t{1} << 35), (Value{std::uint64_t{1} << 35, false}));
}

}  // namespace
}  // namespace sslfeatures::render
