#include "render/scan_report.hpp"

#include <fmt/ranges.h>

#include "render/dotted.hpp"

namespace sslfeatures::render {
namespace {

using scan::Answer;
using scan::ScanResult;
using scan::Verdict;

std::string verdict_text(const Verdict& v) {
    const std::string_view answer = scan::answer_name(v.answer);
    return v.detail.empty() ? std::string(answer) : fmt::format("{} ({})", answer, v.detail);
}

std::string order_text(const std::optional<bool>& server_order) {
    if (!server_order) return "";
    return *server_order ? " (server's order)" : " (client's order)";
}

std::vector<std::string> suite_names(const scan::SuiteList& list) {
    std::vector<std::string> names;
    for (const scan::Suite& s : list.accepted) names.push_back(s.name);
    return names;
}

std::string nothing_if_empty(const std::vector<std::string>& items) {
    return items.empty() ? "none" : fmt::format("{}", fmt::join(items, " "));
}

void text_protocols(std::string& out, const ScanResult& s) {
    for (const scan::ProtocolResult& p : s.protocols) out += dotted_line(p.name, {verdict_text(p.accepted)});
}

void text_lists(std::string& out, const ScanResult& s) {
    for (const scan::SuiteList& l : s.suites) {
        out += dotted_line(fmt::format("{} suites{}", l.protocol, order_text(l.server_order)), {nothing_if_empty(suite_names(l))});
    }
    for (const scan::GroupList& g : s.groups) {
        out += dotted_line(fmt::format("{} groups{}", g.protocol, order_text(g.server_order)), {nothing_if_empty(g.accepted)});
    }
    if (!s.groups_not_tested.empty()) out += dotted_line("Groups not tested", {fmt::format("{}", fmt::join(s.groups_not_tested, ", "))});
    if (s.dhe_bits) out += dotted_line("DHE parameters", {fmt::format("{} bits", *s.dhe_bits)});
    for (const scan::SignatureList& l : s.signature_algorithms) {
        out += dotted_items(fmt::format("{} signature algorithms", l.protocol), l.accepted.empty() ? std::vector<std::string>{"none"} : l.accepted);
    }
}

void text_certificate(std::string& out, const scan::CertificateResult& c, std::size_t n) {
    const std::string title = fmt::format("Certificate {} ({})", n, c.key);
    out += dotted_line(title, {c.subject});
    const std::string each = fmt::format("Certificate {} ", n);
    out += dotted_line(each + "issuer", {c.issuer});
    out += dotted_line(each + "names", {nothing_if_empty(c.names)});
    out += dotted_line(each + "valid", {fmt::format("{} to {} ({} days)", c.not_before, c.not_after, c.lifetime_days)});
    out += dotted_line(each + "signature", {c.signature_algorithm});
    out += dotted_line(each + "chain", {fmt::format("{} certificate{} sent", c.chain_length, c.chain_length == 1 ? "" : "s")});
    out += dotted_line(each + "trusted", {verdict_text(c.trusted)});
    out += dotted_line(each + "name matches", {verdict_text(c.name_match)});
    out += dotted_line(each + "served for", {fmt::format("{}", fmt::join(c.served_for, ", "))});
}

void text_rest(std::string& out, const ScanResult& s) {
    for (std::size_t i = 0; i < s.certificates.size(); ++i) text_certificate(out, s.certificates[i], i + 1);
    out += dotted_line("ALPN", {s.alpn.accepted.empty() ? verdict_text(s.alpn.supported)
                                                         : fmt::format("{}{}", fmt::join(s.alpn.accepted, " "),
                                                                       s.alpn.preferred ? fmt::format(" (prefers {})", *s.alpn.preferred) : "")});
    for (const scan::Feature& f : s.features) out += dotted_line(f.title, {verdict_text(f.verdict)});
    for (const scan::ProfileVerdict& p : s.profiles) {
        out += dotted_line(fmt::format("Mozilla {} profile", p.profile),
                           {p.complies ? "complies" : fmt::format("{} deviation{}", p.deviations.size(), p.deviations.size() == 1 ? "" : "s")});
        for (const std::string& d : p.deviations) out += dotted_line(fmt::format("Mozilla {} deviation", p.profile), {d});
    }
    if (!s.profiles_source.empty()) out += dotted_line("Profiles from", {s.profiles_source});
    out += dotted_line("Connections made", {fmt::format("{} in {:.0f} ms", s.stats.connections, s.stats.elapsed_ms)});
}

std::string markdown_cell(const Verdict& v) { return verdict_text(v); }

void markdown_body(std::string& out, const ScanResult& s) {
    out += "| Protocol | Accepted |\n|---|---|\n";
    for (const scan::ProtocolResult& p : s.protocols) out += fmt::format("| {} | {} |\n", p.name, markdown_cell(p.accepted));
    out += "\n## Suites\n\n";
    for (const scan::SuiteList& l : s.suites) {
        out += fmt::format("- **{}**{}: {}\n", l.protocol, order_text(l.server_order), fmt::join(suite_names(l), ", "));
    }
    out += "\n## Groups and signature algorithms\n\n";
    for (const scan::GroupList& g : s.groups) out += fmt::format("- **{} groups**{}: {}\n", g.protocol, order_text(g.server_order), fmt::join(g.accepted, ", "));
    if (!s.groups_not_tested.empty()) out += fmt::format("- Not tested: {}\n", fmt::join(s.groups_not_tested, ", "));
    if (s.dhe_bits) out += fmt::format("- DHE parameters: {} bits\n", *s.dhe_bits);
    for (const scan::SignatureList& l : s.signature_algorithms) out += fmt::format("- **{} signature algorithms**: {}\n", l.protocol, fmt::join(l.accepted, ", "));
    out += "\n## Certificates\n\n| Key | Subject | Valid until | Signature | Trusted | Name matches |\n|---|---|---|---|---|---|\n";
    for (const scan::CertificateResult& c : s.certificates) {
        out += fmt::format("| {} | {} | {} | {} | {} | {} |\n", c.key, c.subject, c.not_after, c.signature_algorithm,
                           markdown_cell(c.trusted), markdown_cell(c.name_match));
    }
    out += "\n## Behaviour\n\n| | |\n|---|---|\n";
    out += fmt::format("| ALPN | {} |\n", s.alpn.accepted.empty() ? markdown_cell(s.alpn.supported) : fmt::format("{}", fmt::join(s.alpn.accepted, ", ")));
    for (const scan::Feature& f : s.features) out += fmt::format("| {} | {} |\n", f.title, markdown_cell(f.verdict));
    if (!s.profiles.empty()) out += fmt::format("\n## Mozilla profiles\n\nFrom {}.\n\n", s.profiles_source);
    for (const scan::ProfileVerdict& p : s.profiles) {
        out += fmt::format("- **{}**: {}\n", p.profile, p.complies ? "complies" : "deviates");
        for (const std::string& d : p.deviations) out += fmt::format("  - {}\n", d);
    }
}

}  // namespace
}  // namespace sslfeatures::render

fmt::format_context::iterator fmt::formatter<sslfeatures::render::ScanText>::format(
    const sslfeatures::render::ScanText& text, format_context& ctx) const {
    using namespace sslfeatures::render;
    const auto& s = text.scan;
    std::string out = dotted_line("Server", {fmt::format("{}:{}", s.target.host, s.target.port)});
    if (!s.target.sni.empty()) out += dotted_line("Server name sent", {s.target.sni});
    out += dotted_line("Probed with", {s.library});
    text_protocols(out, s);
    text_lists(out, s);
    text_rest(out, s);
    return fmt::format_to(ctx.out(), "{}", out);
}

fmt::format_context::iterator fmt::formatter<sslfeatures::render::ScanMarkdown>::format(
    const sslfeatures::render::ScanMarkdown& text, format_context& ctx) const {
    using namespace sslfeatures::render;
    const auto& s = text.scan;
    std::string out = fmt::format("# TLS scan of {}:{}\n\nProbed with {}; {} connections in {:.0f} ms.\n\n", s.target.host,
                                  s.target.port, s.library, s.stats.connections, s.stats.elapsed_ms);
    markdown_body(out, s);
    return fmt::format_to(ctx.out(), "{}", out);
}
