#include "render/dotted.hpp"

#include <sstream>

namespace sslfeatures::render {

namespace {

std::vector<std::string> words_of(std::string_view text) {
    std::istringstream in{std::string(text)};
    std::vector<std::string> words;
    for (std::string word; in >> word;) words.push_back(word);
    return words;
}

// Greedy filling, as textwrap does it, of units that are never broken.
std::string fill(const std::vector<std::string>& units, std::size_t width, std::string_view indent) {
    std::string out, line;
    for (const std::string& word : units) {
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

// "(0x0403)", also with the punctuation of a list after it: "(0x0403),".
bool is_code_point(std::string_view word) {
    while (!word.empty() && (word.back() == ',' || word.back() == ';' || word.back() == '.')) word.remove_suffix(1);
    return word.size() == 8 && word.substr(0, 3) == "(0x" && word.back() == ')' &&
           word.substr(3, 4).find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::string padded(std::string_view title) {
    std::string text(title);
    if (text.size() < kDottedTitleWidth) text.append(kDottedTitleWidth - text.size(), '.');
    return text;
}

}  // namespace

std::string wrap(std::string_view text, std::size_t width, std::string_view indent) {
    return fill(words_of(text), width, indent);
}

std::string wrap_keeping_code_points(std::string_view text, std::size_t width, std::string_view indent) {
    std::vector<std::string> units;
    for (std::string& word : words_of(text)) {
        if (is_code_point(word) && !units.empty()) units.back() += ' ' + word;
        else units.push_back(std::move(word));
    }
    return fill(units, width, indent);
}

std::string dotted_line(std::string_view title, const std::vector<std::string>& values) {
    std::string text = padded(title);
    for (const std::string& v : values) text += ' ' + v;
    return wrap(text) + '\n';
}

std::string dotted_items(std::string_view title, const std::vector<std::string>& items) {
    std::vector<std::string> units = words_of(padded(title));
    units.insert(units.end(), items.begin(), items.end());
    return fill(units, kDottedLineWidth, "    ") + '\n';
}

}  // namespace sslfeatures::render
