// The base of every report type's fmt::formatter: reports take no format
// spec, only "{}", so parsing accepts the empty spec and nothing else.
#pragma once

#include <fmt/format.h>

namespace sslfeatures::render {

struct PlainFormatter {
    constexpr auto parse(fmt::format_parse_context& ctx) {
        if (ctx.begin() != ctx.end() && *ctx.begin() != '}') throw fmt::format_error("reports take no format spec");
        return ctx.begin();
    }
};

}  // namespace sslfeatures::render
