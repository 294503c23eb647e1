#include "reflect/catalogue.hpp"

#include <algorithm>

#include "reflect/availability.hpp"
#include "reflect/library_info.hpp"

namespace sslfeatures::reflect {
namespace {

std::vector<Row> constant_rows(std::span<const Constant> constants) {
    std::vector<Row> rows;
    rows.reserve(constants.size());
    for (const Constant& c : constants) {
        Row row;
        row.name = std::string(c.name);
        row.value = c.value;
        rows.push_back(std::move(row));
    }
    return rows;
}

// features.py sorts each section by (value, name).
void sort_by_value_then_name(std::vector<Row>& rows) {
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
        if (a.value != b.value) return a.value < b.value;
        return a.name < b.name;
    });
}

Section build_section(const CategoryRule& rule) {
    Section section{.id = std::string(rule.id), .title = std::string(rule.title),
                    .kind = rule.kind, .rows = {}};
    switch (rule.kind) {
        case CategoryKind::constants:
            section.rows = constant_rows(rule.constants);
            sort_by_value_then_name(section.rows);
            break;
        case CategoryKind::probes:
            section.rows = feature_availability();
            sort_by_value_then_name(section.rows);
            break;
        case CategoryKind::info:
            section.rows = library_info();  // kept in its own, meaningful order
            break;
    }
    return section;
}

}  // namespace

std::vector<std::string> all_category_ids() {
    std::vector<std::string> ids;
    for (const CategoryRule& rule : category_rules()) ids.emplace_back(rule.id);
    return ids;
}

std::vector<std::string> default_category_ids() {
    std::vector<std::string> ids;
    for (const CategoryRule& rule : category_rules()) {
        if (rule.is_default) ids.emplace_back(rule.id);
    }
    return ids;
}

bool is_category_id(std::string_view id) {
    const auto rules = category_rules();
    return std::any_of(rules.begin(), rules.end(),
                       [&](const CategoryRule& rule) { return rule.id == id; });
}

bool is_bits_category(std::string_view id) {
    const auto rules = category_rules();
    return std::any_of(rules.begin(), rules.end(),
                       [&](const CategoryRule& rule) { return rule.id == id && rule.bits; });
}

Catalogue build_catalogue(std::span<const std::string> ids) {
    Catalogue catalogue;
    for (const CategoryRule& rule : category_rules()) {
        if (std::find(ids.begin(), ids.end(), rule.id) == ids.end()) continue;
        catalogue.sections.push_back(build_section(rule));
        if (rule.kind == CategoryKind::info) {
            if (std::string warning = version_mismatch(); !warning.empty()) {
                catalogue.warnings.push_back(std::move(warning));
            }
        }
    }
    return catalogue;
}

std::string_view kind_name(CategoryKind kind) {
    switch (kind) {
        case CategoryKind::constants: return "constants";
        case CategoryKind::probes: return "probes";
        case CategoryKind::info: return "info";
    }
    return "unknown";
}

}  // namespace sslfeatures::reflect
