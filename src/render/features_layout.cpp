#include "render/features_layout.hpp"

#include <algorithm>

namespace sslfeatures::render {

std::string center(std::string_view text, std::size_t width, char fill) {
    if (text.size() >= width) return std::string(text);
    const std::size_t margin = width - text.size();
    // CPython's pad() in unicode_center: left = marg / 2 + (marg & width & 1).
    const std::size_t left = margin / 2 + (margin & width & 1);
    std::string out(left, fill);
    out += text;
    out.append(margin - left, fill);
    return out;
}

std::string decimal(reflect::Value v) {
    return fmt::format("{}{}", v.negative ? "-" : "", v.magnitude);
}

std::string binary(reflect::Value v) {
    return fmt::format("{}{:b}", v.negative ? "-" : "", v.magnitude);
}

std::string hex(reflect::Value v) {
    return fmt::format("{}{:#x}", v.negative ? "-" : "", v.magnitude);
}

std::string features_row(std::string_view name, reflect::Value v) {
    return fmt::format("{:<{}} {:>{}}  {:>{}}", name, kNameWidth, decimal(v), kDecimalWidth,
                       binary(v), kBinaryWidth);
}

}  // namespace sslfeatures::render

using sslfeatures::reflect::CategoryKind;
using sslfeatures::render::FeaturesTable;

fmt::format_context::iterator fmt::formatter<FeaturesTable>::format(
    const FeaturesTable& table, fmt::format_context& ctx) const {
    namespace r = sslfeatures::render;
    auto out = fmt::format_to(ctx.out(), "\n");
    for (const auto& section : table.catalogue.sections) {
        out = fmt::format_to(out, "{}\n", r::center(" " + section.title + " ", r::kLineWidth, '-'));
        for (const auto& row : section.rows) {
            if (section.kind == CategoryKind::info) {
                out = fmt::format_to(out, "{:<{}} {}\n", row.name, r::kNameWidth, row.text);
            } else {
                out = fmt::format_to(out, "{}\n", r::features_row(row.name, row.value));
            }
        }
        out = fmt::format_to(out, "\n");
    }
    if (!table.footer.empty()) out = fmt::format_to(out, "{}\n", table.footer);
    return out;
}
