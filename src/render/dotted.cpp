#include "render/dotted.hpp"

#include <sstream>

namespace sslfeatures::render {

std::string wrap(std::string_view text, std::size_t width, std::string_view indent) {
    std::istringstream words{std::string(text)};
    std::string out, line;
    for (std::string word; words >> word;) {
        if (line.empty()) {
            line = out.empty() ? word : std::string(indent) + word;
        } else if (line.size() + 1 + word.size() <= width) {
            line += ' ' + word;
        } else {
            out += line + '\n';
            line = std::string(indent) + word;
        }
    }
    return out + line;
}

std::string dotted_line(std::string_view title, const std::vector<std::string>& values) {
    std::string text(title);
    if (text.size() < kDottedTitleWidth) text.append(kDottedTitleWidth - text.size(), '.');
    for (const std::string& v : values) text += ' ' + v;
    return wrap(text) + '\n';
}

}  // namespace sslfeatures::render
