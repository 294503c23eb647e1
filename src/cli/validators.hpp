// Option validators whose one-line message names what is valid.
#pragma once

#include <cmath>
#include <cstdlib>
#include <functional>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace sslfeatures::cli {

// Rejects a value `valid` refuses with "unknown KIND 'x'; valid PLURAL: CHOICES".
inline CLI::Validator one_of(std::string kind, std::string plural, std::string choices,
                             std::function<bool(const std::string&)> valid, std::string type_name) {
    return CLI::Validator(
        [=](std::string& value) -> std::string {
            if (valid(value)) return {};
            return fmt::format("unknown {} '{}'; valid {}: {}", kind, value, plural, choices);
        },
        std::move(type_name));
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
