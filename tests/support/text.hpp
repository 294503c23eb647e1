// Output split into pieces, for tests that read it back.
#pragma once

#include <string>
#include <vector>

namespace sslfeatures::testing {

// The fields between the separators, empty ones included: "a,,b" is a, "",
// b (an empty CSV cell). A separator at the end starts no field.
std::vector<std::string> split(const std::string& text, char sep);

// The same without the empty fields: "a  b" split on ' ' is a, b.
std::vector<std::string> split_nonempty(const std::string& text, char sep);

}  // namespace sslfeatures::testing
