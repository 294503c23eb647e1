// The constants catalogue: OpenSSL's constants grouped into categories.
//
// The category rules live in tables/categories.toml; scripts/gen_catalogue.py
// turns them, and the headers of this build, into category_rules(). Everything
// else (sorting, probes, library facts) is assembled here into a Catalogue that
// the renderers print.
#pragma once

#include <compare>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace sslfeatures::reflect {

// An integer constant of any C type, kept whole: OpenSSL 3.5 has 64-bit
// options, and a few categories could in principle hold negative values.
struct Value {
    std::uint64_t magnitude = 0;
    bool negative = false;

    friend constexpr bool operator==(const Value&, const Value&) = default;
    friend constexpr std::strong_ordering operator<=>(const Value& a, const Value& b) {
        if (a.negative != b.negative) return a.negative ? std::strong_ordering::less
                                                        : std::strong_ordering::greater;
        return a.negative ? b.magnitude <=> a.magnitude : a.magnitude <=> b.magnitude;
    }
    static constexpr Value of_bool(bool b) { return {b ? 1u : 0u, false}; }
};

template <typename T>
constexpr Value value_of(T v) {
    static_assert(std::is_integral_v<T> || std::is_enum_v<T>, "not an integer constant");
    if constexpr (std::is_enum_v<T>) {
        return value_of(static_cast<std::underlying_type_t<T>>(v));
    } else if constexpr (std::is_signed_v<T>) {
        if (v < 0) return {0 - static_cast<std::uint64_t>(v), true};
        return {static_cast<std::uint64_t>(v), false};
    } else {
        return {static_cast<std::uint64_t>(v), false};
    }
}

struct Constant {
    std::string_view name;
    Value value;
};

enum class CategoryKind { constants, probes, info };

struct CategoryRule {
    std::string_view id;
    std::string_view title;
    CategoryKind kind;
    bool is_default;
    bool bits;  // flags and masks: a diff names the bits that flip
    std::span<const Constant> constants;  // empty unless kind == constants
};

// Generated: every category of tables/categories.toml, in file order.
std::span<const CategoryRule> category_rules();

// One row of output. Constants and probes carry a Value; info rows carry text.
struct Row {
    std::string name;
    Value value;
    std::string text;         // info rows only
    std::string source;       // probes: "build" or "runtime"
    std::string description;  // probes and info rows
};

struct Section {
    std::string id;
    std::string title;
    CategoryKind kind;
    std::vector<Row> rows;
};

struct Catalogue {
    std::vector<Section> sections;
    std::vector<std::string> warnings;  // e.g. headers and library versions differ
};

// Ids of all categories, and of the default ones, in output order.
std::vector<std::string> all_category_ids();
std::vector<std::string> default_category_ids();
bool is_category_id(std::string_view id);
// True for categories of bit flags and masks (`bits = true` in the rules).
bool is_bits_category(std::string_view id);

// Builds the sections named by ids (in rule order, whatever order ids come in).
// Constant and probe rows are sorted by value, then name, as features.py does.
Catalogue build_catalogue(std::span<const std::string> ids);

std::string_view kind_name(CategoryKind kind);

}  // namespace sslfeatures::reflect
