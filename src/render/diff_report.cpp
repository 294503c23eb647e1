#include "render/diff_report.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

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

// "4 findings: 2 break connections, 1 weakens security, 1 worth knowing".
std::string findings_summary(const audit::Diff& diff) {
    std::vector<std::string> parts;
    for (auto severity : {audit::Severity::breaks, audit::Severity::weakens, audit::Severity::strengthens,
                          audit::Severity::performance, audit::Severity::notice, audit::Severity::cosmetic}) {
        const auto n = std::count_if(diff.findings.begin(), diff.findings.end(),
                                     [&](const audit::Finding& f) { return f.severity == severity; });
        if (n > 0) parts.push_back(fmt::format("{} {}", n, audit::severity_title(severity)));
    }
    return fmt::format("{} finding{}{}{}", diff.findings.size(), diff.findings.size() == 1 ? "" : "s",
                       parts.empty() ? "" : ": ", fmt::join(parts, ", "));
}

// At most this many changes are named under a finding in text and Markdown;
// the rest are counted (JSON lists them all).
constexpr std::size_t kEvidenceShown = 6;

// How one piece of evidence reads: a list's item under its field ("-
// signature_algorithms" + "ecdsa_sha1 (0x0203)"), a short value change in full
// ("~ " + "client_hello.bytes (client) 257 -> 1488"), or else the name alone.
struct EvidenceItem {
    std::string head;  // shared by consecutive items of one field
    std::string item;
};

EvidenceItem evidence_item(const Change& c) {
    const std::string& item = c.kind == ChangeKind::removed ? c.old_text : c.new_text;
    if (c.kind != ChangeKind::changed && item != c.name) return {fmt::format("{} {} ", mark(c.kind), c.name), item};
    constexpr std::size_t kShortValue = 16;
    const bool short_change = c.kind == ChangeKind::changed && !c.old_value && c.old_text.size() <= kShortValue &&
                              c.new_text.size() <= kShortValue;
    if (short_change) return {"~ ", fmt::format("{} {} -> {}", change_label(c), c.old_text, c.new_text)};
    return {fmt::format("{} ", mark(c.kind)), c.name};
}

// The detailed changes a finding rests on, one line per section, the items
// of one field together: "protocols: ~ TLSv1, TLSv1.1", "defaults: -
// signature_algorithms ecdsa_sha1 (0x0203), dsa_sha1 (0x0202)".
std::vector<std::string> evidence_lines(const audit::Diff& diff, const audit::Finding& f) {
    std::vector<std::string> lines;
    std::size_t last_section = diff.sections.size();
    std::string last_head;
    for (std::size_t i = 0; i < f.evidence.size() && i < kEvidenceShown; ++i) {
        const audit::Evidence& e = f.evidence[i];
        const EvidenceItem piece = evidence_item(diff.sections[e.section].changes[e.change]);
        if (e.section != last_section) {
            lines.push_back(fmt::format("{}: {}{}", diff.sections[e.section].id, piece.head, piece.item));
        } else if (piece.head != last_head) {
            lines.back() += fmt::format("; {}{}", piece.head, piece.item);
        } else {
            lines.back() += ", " + piece.item;
        }
        last_section = e.section;
        last_head = piece.head;
    }
    if (f.evidence.size() > kEvidenceShown) {
        lines.back() += fmt::format(" and {} more", f.evidence.size() - kEvidenceShown);
    }
    return lines;
}

std::string origin_text(const audit::Finding& f) {
    return f.origin_evidence.empty() ? f.origin : fmt::format("{} ({})", f.origin, f.origin_evidence);
}

std::string finding_text(const audit::Diff& diff, std::size_t number, const audit::Finding& f) {
    const std::string head = fmt::format("{}. ", number);
    const std::string indent(head.size(), ' ');
    // wrap() drops leading blanks, so the indent goes on after it.
    auto line = [&](std::string_view label, const std::string& text) {
        std::string wrapped =
            wrap_keeping_code_points(fmt::format("{}: {}", label, text), kLineWidth - indent.size(), "    ");
        for (std::size_t at = wrapped.find('\n'); at != std::string::npos; at = wrapped.find('\n', at + 1)) {
            wrapped.insert(at + 1, indent);
        }
        return indent + wrapped + "\n";
    };
    std::string out = wrap_keeping_code_points(fmt::format("{}{}", head, f.says), kLineWidth, indent) + "\n";
    out += line("severity", std::string(audit::severity_title(f.severity)));
    out += line("affects", f.affects);
    if (!f.sides.empty()) out += line("sides", fmt::format("{}", fmt::join(f.sides, ", ")));
    // A scan's findings have no origin: the server is the only cause.
    if (!f.origin.empty()) out += line("origin", origin_text(f));
    for (const std::string& e : evidence_lines(diff, f)) out += line("evidence", e);
    return out + "\n";
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
    Json findings = Json::array();
    for (const auto& f : diff.findings) {
        Json evidence = Json::array();
        for (const auto& e : f.evidence) {
            const auto& section = diff.sections[e.section];
            const auto& c = section.changes[e.change];
            Json ref = {{"section", section.id}, {"index", e.change}, {"change", change_kind_name(c.kind)},
                        {"name", c.name}};
            if (!c.sides.empty()) ref["sides"] = c.sides;
            evidence.push_back(std::move(ref));
        }
        findings.push_back({{"rule", f.rule},
                            {"severity", audit::severity_name(f.severity)},
                            {"says", f.says},
                            {"affects", f.affects},
                            {"sides", f.sides},
                            {"origin", f.origin},
                            {"origin_evidence", f.origin_evidence},
                            {"evidence", std::move(evidence)}});
    }
    return {{"schema", kDiffSchema},
            {"schema_version", kDiffSchemaVersion},
            {"tool", {{"name", "sslfeatures"}, {"version", SSLFEATURES_VERSION}}},
            {"compares", audit::diff_of_name(diff.of)},
            {"old", side(diff.old_side)},
            {"new", side(diff.new_side)},
            {"equal", diff.equal()},
            {"change_count", diff.change_count()},
            {"notes", diff.notes},
            {"findings", std::move(findings)},
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
    if (!diff.equal()) {
        out = fmt::format_to(out, "{}\n{}\n\n", r::wrap(r::findings_summary(diff), r::kLineWidth, "    "),
                             r::summary(diff));
    }
    for (const std::string& note : diff.notes) {
        out = fmt::format_to(out, "{}\n", r::wrap("note: " + note, r::kLineWidth, "    "));
    }
    if (!diff.notes.empty()) out = fmt::format_to(out, "\n");
    if (!diff.findings.empty()) {
        out = fmt::format_to(out, "{}\n", r::center(" findings ", r::kLineWidth, '-'));
        for (std::size_t i = 0; i < diff.findings.size(); ++i) {
            out = fmt::format_to(out, "{}", r::finding_text(diff, i + 1, diff.findings[i]));
        }
    }
    if (text.findings_only) return out;
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
    for (const std::string& note : diff.notes) out = fmt::format_to(out, "- note: {}\n", r::cell(note));
    if (!diff.findings.empty()) {
        out = fmt::format_to(out, "- {}\n\n## Findings\n\n", r::findings_summary(diff));
        for (std::size_t i = 0; i < diff.findings.size(); ++i) {
            const auto& f = diff.findings[i];
            out = fmt::format_to(out, "{}. **{}**: {}<br>affects: {}<br>", i + 1,
                                 sslfeatures::audit::severity_title(f.severity), r::cell(f.says), r::cell(f.affects));
            if (!f.sides.empty()) out = fmt::format_to(out, "sides: {}<br>", fmt::join(f.sides, ", "));
            if (!f.origin.empty()) out = fmt::format_to(out, "origin: {}<br>", r::cell(r::origin_text(f)));
            out = fmt::format_to(out, "evidence: ");
            std::vector<std::string> refs;
            for (const auto& e : r::evidence_lines(diff, f)) refs.push_back(fmt::format("`{}`", r::cell(e)));
            out = fmt::format_to(out, "{}\n", fmt::join(refs, "; "));
        }
    }
    if (text.findings_only) return out;
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
