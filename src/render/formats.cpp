#include "render/formats.hpp"

#include <fmt/format.h>

#include <openssl/crypto.h>
#include <openssl/opensslv.h>

#include "render/features_layout.hpp"
#include "reflect/library_info.hpp"

namespace sslfeatures::render {
namespace {

using reflect::CategoryKind;
using reflect::Row;
using reflect::Value;

nlohmann::ordered_json value_json(Value v) {
    if (v.negative) return -static_cast<std::int64_t>(v.magnitude);
    return v.magnitude;
}

nlohmann::ordered_json row_json(const Row& row, CategoryKind kind) {
    nlohmann::ordered_json j;
    j["name"] = row.name;
    if (kind == CategoryKind::info) {
        j["value"] = row.text;
    } else {
        j["value"] = value_json(row.value);
        j["hex"] = hex(row.value);
        j["binary"] = binary(row.value);
    }
    if (!row.source.empty()) j["source"] = row.source;
    if (!row.description.empty()) j["description"] = row.description;
    return j;
}

// RFC 4180: quote a field that holds a comma, a quote or a line break.
std::string csv_field(std::string_view s) {
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

// Markdown table cells cannot hold a bare '|'.
std::string md_cell(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '|') out += '\\';
        out += c;
    }
    return out;
}

}  // namespace

std::vector<std::pair<std::string, Format>> named_formats() {
    std::vector<std::pair<std::string, Format>> named;
    for (std::size_t i = 0; i < std::size(kFormatNames); ++i) {
        named.emplace_back(kFormatNames[i], static_cast<Format>(i));
    }
    return named;
}

nlohmann::ordered_json to_json(const reflect::Catalogue& catalogue) {
    nlohmann::ordered_json doc = reflect::document_head(kFeaturesSchema, kFeaturesSchemaVersion);
    auto& sections = doc["sections"] = nlohmann::ordered_json::array();
    for (const auto& section : catalogue.sections) {
        nlohmann::ordered_json s;
        s["id"] = section.id;
        s["title"] = section.title;
        s["kind"] = reflect::kind_name(section.kind);
        auto& rows = s["rows"] = nlohmann::ordered_json::array();
        for (const Row& row : section.rows) rows.push_back(row_json(row, section.kind));
        sections.push_back(std::move(s));
    }
    doc["warnings"] = catalogue.warnings;
    return doc;
}

std::string to_csv(const reflect::Catalogue& catalogue) {
    std::string out = "section,name,value,hex,binary,source\n";
    for (const auto& section : catalogue.sections) {
        for (const Row& row : section.rows) {
            if (section.kind == CategoryKind::info) {
                out += fmt::format("{},{},{},,,\n", section.id, csv_field(row.name),
                                   csv_field(row.text));
            } else {
                out += fmt::format("{},{},{},{},{},{}\n", section.id, csv_field(row.name),
                                   decimal(row.value), hex(row.value), binary(row.value),
                                   row.source);
            }
        }
    }
    return out;
}

std::string to_markdown(const reflect::Catalogue& catalogue) {
    std::string out;
    for (const auto& section : catalogue.sections) {
        if (!out.empty()) out += "\n";
        out += fmt::format("## {}\n\n", section.title);
        if (section.kind == CategoryKind::info) {
            out += "| name | value |\n|:-----|:------|\n";
            for (const Row& row : section.rows) {
                out += fmt::format("| {} | {} |\n", md_cell(row.name), md_cell(row.text));
            }
        } else {
            out += "| name | decimal | binary |\n|:-----|--------:|-------:|\n";
            for (const Row& row : section.rows) {
                out += fmt::format("| `{}` | {} | {} |\n", row.name, decimal(row.value),
                                   binary(row.value));
            }
        }
    }
    return out;
}

std::string render_catalogue(const reflect::Catalogue& catalogue, Format format) {
    switch (format) {
        case Format::text:
            return fmt::format("{}", FeaturesTable{catalogue, OpenSSL_version(OPENSSL_VERSION)});
        case Format::json:
            return to_json(catalogue).dump(2) + "\n";
        case Format::csv:
            return to_csv(catalogue);
        case Format::markdown:
            return to_markdown(catalogue);
    }
    return {};
}

}  // namespace sslfeatures::render
