// `sslfeatures defaults` in text: one section per context (tls/defaults.hpp),
// as report lines (render/dotted.hpp).
#pragma once

#include <string>
#include <vector>

#include "tls/defaults.hpp"

namespace sslfeatures::render {

std::string defaults_text(const std::vector<tls::DefaultsPart>& parts, const tls::BitNamer& namer);

}  // namespace sslfeatures::render
