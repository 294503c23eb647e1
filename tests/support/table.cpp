#include "support/table.hpp"

#include <sstream>

#include "support/process.hpp"

namespace sslfeatures::testing {

ParsedTable parse_table(const std::string& text) {
    ParsedTable table;
    std::vector<std::string> lines = lines_of(text);
    table.starts_with_empty_line = !lines.empty() && lines.front().empty();
    ParsedSection* current = nullptr;
    for (std::size_t i = table.starts_with_empty_line ? 1 : 0; i < lines.size(); ++i) {
        const std::string& line = lines[i];
        if (line.size() >= 2 && line.front() == '-' && line.back() == '-') {
            ParsedSection section;
            section.title_line = line;
            auto first = line.find_first_not_of('-');
            auto last = line.find_last_not_of('-');
            section.title = line.substr(first + 1, last - first - 1);
            table.sections.push_back(section);
            current = &table.sections.back();
        } else if (line.empty() && current != nullptr) {
            current->ends_with_empty_line = true;
            current = nullptr;
        } else if (current != nullptr) {
            std::istringstream in(line);
            ParsedRow row;
            row.line = line;
            in >> row.name >> row.decimal >> row.binary;
            current->rows.push_back(row);
        } else {
            table.trailer.push_back(line);
        }
    }
    return table;
}

const ParsedSection* find_section(const ParsedTable& table, const std::string& title) {
    for (const ParsedSection& s : table.sections) {
        if (s.title == title) return &s;
    }
    return nullptr;
}

}  // namespace sslfeatures::testing
