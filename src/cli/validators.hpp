// Option validators whose one-line message names what is valid.
#pragma once

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
