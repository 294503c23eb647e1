// `sslfeatures defaults` in text: one section per context (tls/defaults.hpp),
// as report lines (render/dotted.hpp).
#pragma once

#include <string>
#include <vector>

#include "render/plain_formatter.hpp"
#include "tls/defaults.hpp"

namespace sslfeatures::render {

// The whole text: an empty line, each part (title, dotted lines, empty line),
// then the running library's version line, as the features table ends.
struct DefaultsText {
    const std::vector<tls::DefaultsPart>& parts;
    const tls::BitNamer& namer;
    const reflect::Configuration& config;  // printed first: it shapes every part
};

}  // namespace sslfeatures::render

template <>
struct fmt::formatter<sslfeatures::render::DefaultsText> : sslfeatures::render::PlainFormatter {
    format_context::iterator format(const sslfeatures::render::DefaultsText& text, format_context& ctx) const;
};
