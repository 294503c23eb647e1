// The constants table in the layout of the chapter's features.py
// (shared design: layouts.md, section 1).
#pragma once

#include "render/plain_formatter.hpp"

#include <string>
#include <string_view>

#include <fmt/format.h>

#include "reflect/catalogue.hpp"

namespace sslfeatures::render {

inline constexpr std::size_t kLineWidth = 72;
inline constexpr std::size_t kNameWidth = 27;
inline constexpr std::size_t kDecimalWidth = 10;
inline constexpr std::size_t kBinaryWidth = 32;

// Python's str.center(width, fill): when the padding is odd the extra fill
// goes right unless both the padding and the width are odd.
std::string center(std::string_view text, std::size_t width, char fill);

// The value as Python's format(v, 'd'), format(v, 'b') and hex(v) print it.
std::string decimal(reflect::Value v);
std::string binary(reflect::Value v);
std::string hex(reflect::Value v);

// One row: name, decimal and binary in their fields (wider when needed).
std::string features_row(std::string_view name, reflect::Value v);

// The whole table: an empty line, then each section (title, rows, empty
// line), then the running library's version line, as features.py ends with
// ssl.OPENSSL_VERSION.
struct FeaturesTable {
    const reflect::Catalogue& catalogue;
    std::string_view footer;
};

}  // namespace sslfeatures::render

template <>
struct fmt::formatter<sslfeatures::render::FeaturesTable> : sslfeatures::render::PlainFormatter {
    format_context::iterator format(const sslfeatures::render::FeaturesTable& table,
                                    format_context& ctx) const;
};
