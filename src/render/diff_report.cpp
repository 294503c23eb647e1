#include "render/diff_report.hpp"

#include <fmt/format.h>

#include "render/dotted.hpp"
#include "render/features_layout.hpp"
#include "sslfeatures_config.hpp"

namespace sslfeatures::render {
namespace {

using audit::Change;
using audit::ChangeKind;

char mark(ChangeKind kind) {
    switch (kind) {
        case ChangeKind::added: return '+';
        case ChangeKind::removed: return '-';
        case ChangeKind::changed: return '~';
    }
    return '~';
}

std::string side_text(const audit::Side& side) {
    return side.library.empty() ? side.source : fmt::format("{} ({})", side.source, side.library);
}

// A constant: the features table's name, decimal and binary columns, after a
// two-character change mark. A name too long for the name column goes on a
// line of its own above a "was" (removed) or "now" (added) row, so the
// columns stay aligned; a changed one shows both values and the flags whose
// bits flipped.
std::string constant_text(const Change& c) {
    if (c.kind != ChangeKind::changed) {
        const bool added = c.kind == ChangeKind::added;
        const reflect::Value v = added ? *c.new_value : *c.old_value;
        if (c.name.size() + 2 > kNameWidth) {
            return fmt::format("{} {}\n{}\n", mark(c.kind), c.name, features_row(added ? "    now" : "    was", v));
        }
        std::string row = features_row("  " + c.name, v);
        row[0] = mark(c.kind);
        return row + "\n";
    }
    std::string out = fmt::format("~ {}\n", c.name);
    out += features_row("    was", *c.old_value) + "\n";
    out += features_row("    now", *c.new_value) + "\n";
    if (!c.note.empty()) out += "    " + wrap(c.note, kLineWidth - 4, "      ") + "\n";
    return out;
}

// "options.names (client, server, library_default)" for a change of the
// defaults' parts; the plain name otherwise.
std::string change_label(const Change& c) {
    if (c.sides.empty()) return c.name;
    return fmt::format("{} ({})", c.name, fmt::join(c.sides, ", "));
}

std::string change_text(const Change& c) {
    if (c.old_value || c.new_value) return constant_text(c);
    std::string line = fmt::format("{} {}", mark(c.kind), change_label(c));
    switch (c.kind) {
        case ChangeKind::added:
            if (c.new_text != c.name) line += ": " + c.new_text;
            break;
        case ChangeKind::removed:
            if (c.old_text != c.name) line += ": " + c.old_text;
            break;
        case ChangeKind::changed:
            line += fmt::format(": {} -> {}", c.old_text, c.new_text);
            break;
    }
    if (!c.note.empty()) line += fmt::format(" ({})", c.note);
    return wrap_keeping_code_points(line, kLineWidth, "    ") + "\n";
}

std::string summary(const audit::Diff& diff) {
    if (diff.equal()) return "no differences";
    return fmt::format("{} change{} in {} section{}", diff.change_count(), diff.change_count() == 1 ? "" : "s",
                       diff.sections.size(), diff.sections.size() == 1 ? "" : "s");
}

std::string cell(std::string_view text) {
    std::string out;
    for (char ch : text) {
        if (ch == '|') out += "\\|";
        else if (ch == '\n') out += ' ';
        else out += ch;
    }
    return out;
}

}  // namespace

nlohmann::ordered_json diff_json(const audit::Diff& diff) {
    using Json = nlohmann::ordered_json;
    auto side = [](const audit::Side& s) { return Json{{"source", s.source}, {"library", s.library}}; };
    auto value = [](const std::optional<reflect::Value>& v) -> Json {
        if (!v) return nullptr;
        return Json{{"value", decimal(*v)}, {"hex", hex(*v)}, {"binary", binary(*v)}};
    };
    Json sections = Json::array();
    for (const auto& section : diff.sections) {
        Json changes = Json::array();
        for (const auto& c : section.changes) {
            Json j = {{"change", change_kind_name(c.kind)}, {"name", c.name}, {"old", c.old_text}, {"new", c.new_text}};
            if (!c.sides.empty()) j["sides"] = c.sides;
            if (c.old_value || c.new_value) {
                j["old_value"] = value(c.old_value);
                j["new_value"] = value(c.new_value);
            }
            j["note"] = c.note;
            changes.push_back(std::move(j));
        }
        sections.push_back({{"id", section.id}, {"title", section.title}, {"changes", std::move(changes)}});
    }
    return {{"schema", kDiffSchema},
            {"schema_version", kDiffSchemaVersion},
            {"tool", {{"name", "sslfeatures"}, {"version", SSLFEATURES_VERSION}}},
            {"old", side(diff.old_side)},
            {"new", side(diff.new_side)},
            {"equal", diff.equal()},
            {"change_count", diff.change_count()},
            {"sections", std::move(sections)}};
}

}  // namespace sslfeatures::render

using sslfeatures::render::DiffMarkdown;
using sslfeatures::render::DiffText;

fmt::format_context::iterator fmt::formatter<DiffText>::format(const DiffText& text, fmt::format_context& ctx) const {
    namespace r = sslfeatures::render;
    const auto& diff = text.diff;
    auto out = fmt::format_to(ctx.out(), "\nold: {}\nnew: {}\n\n", r::side_text(diff.old_side),
                              r::side_text(diff.new_side));
    for (const auto& section : diff.sections) {
        out = fmt::format_to(out, "{}\n", r::center(" " + section.title + " ", r::kLineWidth, '-'));
        for (const auto& change : section.changes) out = fmt::format_to(out, "{}", r::change_text(change));
        out = fmt::format_to(out, "\n");
    }
    return fmt::format_to(out, "{}\n", r::summary(diff));
}

fmt::format_context::iterator fmt::formatter<DiffMarkdown>::format(const DiffMarkdown& text,
                                                                   fmt::format_context& ctx) const {
    namespace r = sslfeatures::render;
    const auto& diff = text.diff;
    auto out = fmt::format_to(ctx.out(), "# sslfeatures diff\n\n- old: `{}`\n- new: `{}`\n- {}\n",
                              r::side_text(diff.old_side), r::side_text(diff.new_side), r::summary(diff));
    for (const auto& section : diff.sections) {
        out = fmt::format_to(out, "\n## {}\n\n| change | name | old | new | note |\n|---|---|---|---|---|\n",
                             section.title);
        for (const auto& c : section.changes) {
            out = fmt::format_to(out, "| {} | `{}` | {} | {} | {} |\n", sslfeatures::audit::change_kind_name(c.kind), r::cell(r::change_label(c)),
                                 r::cell(c.old_text), r::cell(c.new_text), r::cell(c.note));
        }
    }
    return out;
}
