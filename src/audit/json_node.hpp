// A JSON document read with care: every node knows its JSON Pointer, so a
// complaint says where ("FILE: /protocols/2/accepted: expected a string").
// Snapshots and scans are read through it.
#pragma once

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/snapshot_json.hpp"
#include "reflect/catalogue.hpp"

namespace sslfeatures::audit {

using Json = nlohmann::ordered_json;

inline std::string type_name(const Json& j) {
    if (j.is_number_unsigned() || j.is_number_integer()) return "an integer";
    if (j.is_number_float()) return fmt::format("the number {}", j.dump());
    if (j.is_string()) return "a string";
    if (j.is_boolean()) return "a boolean";
    if (j.is_null()) return "null";
    if (j.is_array()) return "an array";
    return "an object";
}

// A node of the document with its JSON Pointer, so every complaint says where.
class Node {
  public:
    Node(const Json& json, std::string pointer, std::string_view source)
        : json_(json), pointer_(std::move(pointer)), source_(source) {}

    [[noreturn]] void fail(std::string_view what) const {
        throw SnapshotError(fmt::format("{}: {}: {}", source_, pointer_.empty() ? "/" : pointer_, what));
    }
    [[noreturn]] void expected(std::string_view what) const {
        fail(fmt::format("expected {}, found {}", what, type_name(json_)));
    }

    Node at(std::string_view key) const {
        if (!json_.is_object()) expected("an object");
        const auto it = json_.find(key);
        const std::string child = pointer_ + "/" + escape(key);
        if (it == json_.end()) throw SnapshotError(fmt::format("{}: {}: missing", source_, child));
        return Node(*it, child, source_);
    }
    bool has(std::string_view key) const { return json_.is_object() && json_.contains(key); }

    std::string text() const {
        if (!json_.is_string()) expected("a string");
        return json_.get<std::string>();
    }
    bool boolean() const {
        if (!json_.is_boolean()) expected("true or false");
        return json_.get<bool>();
    }
    // Any integer that fits in 64 bits, signed or unsigned. Larger ones reach
    // us as floating point and are refused, never rounded.
    reflect::Value value() const {
        if (json_.is_number_unsigned()) return {json_.get<std::uint64_t>(), false};
        if (json_.is_number_integer()) return reflect::value_of(json_.get<std::int64_t>());
        expected("an integer of at most 64 bits");
    }
    int small_int() const {
        const reflect::Value v = value();
        if (v.magnitude > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) {
            fail(fmt::format("{}{} is out of range", v.negative ? "-" : "", v.magnitude));
        }
        return v.negative ? -static_cast<int>(v.magnitude) : static_cast<int>(v.magnitude);
    }
    double number() const {
        if (!json_.is_number()) expected("a number");
        const double d = json_.get<double>();
        if (!std::isfinite(d) || d < 0) fail(fmt::format("{} is not a non-negative number", json_.dump()));
        return d;
    }
    std::vector<std::string> strings() const {
        std::vector<std::string> out;
        for_each_item([&](const Node& item) { out.push_back(item.text()); });
        return out;
    }
    const Json& json() const { return json_; }

    void for_each_item(const std::function<void(const Node&)>& f) const {
        if (!json_.is_array()) expected("an array");
        for (std::size_t i = 0; i < json_.size(); ++i) f(Node(json_[i], fmt::format("{}/{}", pointer_, i), source_));
    }
    void for_each_member(const std::function<void(const std::string&, const Node&)>& f) const {
        if (!json_.is_object()) expected("an object");
        for (const auto& [key, value] : json_.items()) f(key, Node(value, pointer_ + "/" + escape(key), source_));
    }

  private:
    // RFC 6901: '~' and '/' in a key are written "~0" and "~1".
    static std::string escape(std::string_view key) {
        std::string out;
        for (char c : key) {
            if (c == '~') out += "~0";
            else if (c == '/') out += "~1";
            else out += c;
        }
        return out;
    }

    const Json& json_;
    std::string pointer_;
    std::string_view source_;
};

}  // namespace sslfeatures::audit
