// Option validators whose one-line message names what is valid.
#pragma once

#include <cmath>
#include <cstdlib>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "bench/bulk_matrix.hpp"

namespace sslfeatures::cli {

// Accepts what `accept` accepts (it may rewrite the value, as CLI11's
// transformers do) and refuses anything else with "unknown KIND 'x'; valid
// PLURAL: CHOICES": one line that names what is valid. CLI11's own wording,
// "x not in {a,b}", names the value but not what it is.
inline CLI::Validator known_word(std::string kind, std::string plural, std::string choices,
                                 std::function<bool(std::string&)> accept, std::string type_name) {
    return CLI::Validator(
        [=](std::string& value) -> std::string {
            const std::string given = value;
            if (accept(value)) return {};
            return fmt::format("unknown {} '{}'; valid {}: {}", kind, given, plural, choices);
        },
        std::move(type_name));
}

namespace detail {

// known_word() over a list of choices, with a CLI11 validator deciding.
inline CLI::Validator checked_by(CLI::Validator check, std::string kind, std::string plural,
                                 const std::vector<std::string>& choices, std::string type_name) {
    return known_word(std::move(kind), std::move(plural), fmt::format("{}", fmt::join(choices, ", ")),
                      [check](std::string& value) { return check(value).empty(); }, std::move(type_name));
}

}  // namespace detail

// Exactly one of `choices` (CLI::IsMember), refused in known_word's words.
inline CLI::Validator one_of(std::string kind, std::string plural, const std::vector<std::string>& choices,
                             std::string type_name) {
    return detail::checked_by(CLI::IsMember(choices), std::move(kind), std::move(plural), choices,
                              std::move(type_name));
}

// One of `names`, turned into what it stands for ("json" into Format::json,
// by CLI::Transformer), refused in known_word's words. Give it to
// ->transform(): ->check() would throw the new value away. The option wants
// ->type_name("TEXT"), the word the user types, where CLI11's help says ENUM.
// The words of a word-to-value table, in its order. (std::views::keys would
// do, but clang 14, the sanitizer build's compiler, cannot compile libstdc++
// 12's views.)
template <typename T>
std::vector<std::string> words_of(const std::vector<std::pair<std::string, T>>& names) {
    std::vector<std::string> words;
    for (const auto& [name, value] : names) words.push_back(name);
    return words;
}

template <typename T>
CLI::Validator named_value(std::string kind, std::string plural,
                           const std::vector<std::pair<std::string, T>>& names, std::string type_name) {
    std::vector<std::string> choices = words_of(names);
    return detail::checked_by(CLI::IsMember(choices) & CLI::Transformer(names), std::move(kind), std::move(plural),
                              choices, std::move(type_name));
}

// A number of seconds from `min` to `max`. CLI::Range lets "nan" through (every
// comparison with NaN is false), and a NaN deadline ends every wait at once.
inline CLI::Validator seconds_between(double min, double max) {
    return CLI::Validator(
        [=](std::string& text) -> std::string {
            char* end = nullptr;
            const double value = std::strtod(text.c_str(), &end);
            const bool whole = !text.empty() && end == text.c_str() + text.size();
            if (whole && std::isfinite(value) && value >= min && value <= max) return {};
            return fmt::format("invalid number of seconds '{}'; valid: a number from {} to {}", text, min, max);
        },
        "SECONDS");
}

// A bulk payload size: "1500", "1k", "16k", "1m" (bench::parse_payload), turned into the byte count.
inline CLI::Validator payload_size() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            const std::size_t bytes = bench::parse_payload(text);
            if (bytes == 0) {
                return fmt::format("invalid payload size '{}'; give bytes, or KiB and MiB with k or m (1500, 1k, 16k), "
                                   "from 1 to {}", text, bench::payload_label(bench::kMaxPayload));
            }
            text = std::to_string(bytes);
            return {};
        },
        "SIZE");
}

// Refuses an empty value, which would otherwise mean "the default" without a word.
inline CLI::Validator non_empty(std::string what) {
    return CLI::Validator(
        [=](std::string& value) -> std::string {
            return value.empty() ? fmt::format("the {} is empty; give one or leave the option out", what)
                                 : std::string();
        },
        "");
}

// Rejects an empty FILE: open("") fails, and an empty -o used to mean
// standard output, which is what leaving the option out means.
inline CLI::Validator file_name() {
    return CLI::Validator(
        [](std::string& path) -> std::string {
            if (!path.empty()) return {};
            return "the file name is empty; name a file, or leave the option out for standard output";
        },
        "FILE");
}

}  // namespace sslfeatures::cli
