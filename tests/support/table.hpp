// Reads the text table back, for tests: sections of (name, decimal, binary).
#pragma once

#include <string>
#include <vector>

namespace sslfeatures::testing {

struct ParsedRow {
    std::string line;
    std::string name;
    std::string decimal;
    std::string binary;
};

struct ParsedSection {
    std::string title_line;
    std::string title;  // the title line without its '-' padding and spaces
    std::vector<ParsedRow> rows;
    bool ends_with_empty_line = false;
};

struct ParsedTable {
    bool starts_with_empty_line = false;
    std::vector<ParsedSection> sections;
    std::vector<std::string> trailer;  // lines after the last section
};

// Splits on whitespace only; the layout itself is checked separately.
ParsedTable parse_table(const std::string& text);

const ParsedSection* find_section(const ParsedTable& table, const std::string& title);

}  // namespace sslfeatures::testing
