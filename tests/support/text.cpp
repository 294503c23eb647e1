#include "support/text.hpp"

#include <sstream>

namespace sslfeatures::testing {

std::vector<std::string> split(const std::string& text, char sep) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string item; std::getline(in, item, sep);) out.push_back(item);
    return out;
}

std::vector<std::string> split_nonempty(const std::string& text, char sep) {
    std::vector<std::string> out = split(text, sep);
    std::erase(out, std::string());
    return out;
}

}  // namespace sslfeatures::testing
