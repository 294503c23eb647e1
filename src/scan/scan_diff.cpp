#include "scan/scan_diff.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "audit/findings.hpp"

namespace sslfeatures::scan {
namespace {

using audit::Change;
using audit::ChangeKind;
using audit::DiffSection;

Change added(std::string name, std::string text, std::string note = {}) {
    return {ChangeKind::added, std::move(name), {}, std::move(text), {}, {}, std::move(note), {}};
}

Change removed(std::string name, std::string text, std::string note = {}) {
    return {ChangeKind::removed, std::move(name), std::move(text), {}, {}, {}, std::move(note), {}};
}

Change changed(std::string name, std::string was, std::string now, std::string note = {}) {
    return {ChangeKind::changed, std::move(name), std::move(was), std::move(now), {}, {}, std::move(note), {}};
}

// "yes", "no (handshake failure alert)": the answer first, so the rules of
// findings.toml can anchor on it.
std::string verdict_text(const Verdict& v) {
    const std::string answer(answer_name(v.answer));
    return v.detail.empty() ? answer : fmt::format("{} ({})", answer, v.detail);
}

// A "not tested" answer says what the probing library lacked, nothing about
// the server: it can be no side of a change.
bool comparable(const Verdict& a, const Verdict& b) {
    return a.answer != Answer::not_tested && b.answer != Answer::not_tested;
}

template <typename T>
const T* by_protocol(const std::vector<T>& lists, const std::string& protocol) {
    const auto it = std::find_if(lists.begin(), lists.end(), [&](const T& l) { return l.protocol == protocol; });
    return it == lists.end() ? nullptr : &*it;
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

// `list` without the items `other` lacks, in its order: the order two lists
// agree on can only be judged over what both hold.
std::vector<std::string> common(const std::vector<std::string>& list, const std::vector<std::string>& other) {
    std::vector<std::string> out;
    for (const auto& item : list) {
        if (contains(other, item)) out.push_back(item);
    }
    return out;
}

// ---- protocols ----

// Where "not tested" on one side stands against an answer on the other, a
// change may hide: the diff says so in a note rather than guess.
std::string hidden_change(const ProtocolResult& was, const ProtocolResult& now) {
    const bool old_untested = was.accepted.answer == Answer::not_tested;
    const ProtocolResult& untested = old_untested ? was : now;
    const ProtocolResult& answered = old_untested ? now : was;
    if (answered.accepted.answer == Answer::not_tested) return {};
    return fmt::format("{} was not tested by the {} scan ({}); the {} scan found it {}, so a change may hide there",
                       was.name, old_untested ? "old" : "new", untested.accepted.detail, old_untested ? "new" : "old",
                       answered.accepted.answer == Answer::yes ? "accepted" : "refused");
}

DiffSection compare_protocols(const ScanResult& a, const ScanResult& b, std::vector<std::string>& notes) {
    DiffSection section{"scan.protocols", "protocol versions the server accepts", {}};
    for (const ProtocolResult& was : a.protocols) {
        const auto it = std::find_if(b.protocols.begin(), b.protocols.end(),
                                     [&](const ProtocolResult& p) { return p.name == was.name; });
        if (it == b.protocols.end()) continue;  // asked by one scan only (another sslfeatures)
        if (!comparable(was.accepted, it->accepted)) {
            if (std::string note = hidden_change(was, *it); !note.empty()) notes.push_back(std::move(note));
            continue;
        }
        const bool before = was.accepted.answer == Answer::yes, after = it->accepted.answer == Answer::yes;
        if (before == after) continue;
        section.changes.push_back(after ? added(was.name, was.name, it->accepted.detail)
                                        : removed(was.name, was.name, it->accepted.detail));
    }
    return section;
}

// ---- lists per version: suites, groups, signature algorithms ----

// One version's list on both sides, as names, and how to show an item.
struct Lists {
    const std::string& protocol;
    std::vector<std::string> was, now;
    std::string noun;  // "suite": for the note on the last one removed
    std::function<std::string(const std::string&)> text = [](const std::string& s) { return s; };
};

void compare_items(const Lists& l, std::vector<Change>& out) {
    const std::string last = l.now.empty() ? fmt::format("no {} {} remains", l.protocol, l.noun) : std::string();
    for (const auto& item : l.was) {
        if (!contains(l.now, item)) out.push_back(removed(fmt::format("{} {}", l.protocol, item), l.text(item), last));
    }
    for (const auto& item : l.now) {
        if (!contains(l.was, item)) out.push_back(added(fmt::format("{} {}", l.protocol, item), l.text(item)));
    }
}

std::string order_text(bool server_order) { return server_order ? "the server's" : "the client's"; }

// Whose order decides, and, when the server's does on both sides, the order itself.
void compare_order(const Lists& l, std::optional<bool> was, std::optional<bool> now, std::vector<Change>& out) {
    if (!was || !now) return;  // fewer than two items to tell by
    if (*was != *now) {
        out.push_back(changed(l.protocol + " order", order_text(*was), order_text(*now)));
        return;
    }
    const auto before = common(l.was, l.now), after = common(l.now, l.was);
    if (*now && before != after) {
        out.push_back(changed(l.protocol + " order", fmt::format("{}", fmt::join(before, ", ")),
                              fmt::format("{}", fmt::join(after, ", ")), "the server's preference"));
    }
}

std::vector<std::string> suite_names(const SuiteList& l) {
    std::vector<std::string> names;
    for (const Suite& s : l.accepted) names.push_back(s.name);
    return names;
}

// A suite's IANA name: findings.toml tells CBC, SHA-1 and the like by it,
// which OpenSSL's names ("AES128-SHA") do not show.
std::function<std::string(const std::string&)> iana_of(const SuiteList& a, const SuiteList& b) {
    std::map<std::string, std::string> iana;
    for (const SuiteList* l : {&a, &b}) {
        for (const Suite& s : l->accepted) iana[s.name] = s.iana.empty() ? s.name : s.iana;
    }
    return [iana](const std::string& name) { return iana.at(name); };
}

// Versions one scan accepted and the other did not are the protocols
// section's: listing their every suite again says nothing more.
DiffSection compare_suites(const ScanResult& a, const ScanResult& b) {
    DiffSection section{"scan.suites", "cipher suites the server accepts, per version", {}};
    for (const SuiteList& was : a.suites) {
        const SuiteList* now = by_protocol(b.suites, was.protocol);
        if (now == nullptr) continue;
        const Lists l{was.protocol, suite_names(was), suite_names(*now), "suite", iana_of(was, *now)};
        compare_items(l, section.changes);
        compare_order(l, was.server_order, now->server_order, section.changes);
    }
    return section;
}

DiffSection compare_groups(const ScanResult& a, const ScanResult& b) {
    DiffSection section{"scan.groups", "key-exchange groups the server accepts, per version", {}};
    for (const GroupList& was : a.groups) {
        const GroupList* now = by_protocol(b.groups, was.protocol);
        if (now == nullptr) continue;
        const Lists l{was.protocol, was.accepted, now->accepted, "group"};
        compare_items(l, section.changes);
        compare_order(l, was.server_order, now->server_order, section.changes);
        if (was.preferred && now->preferred && *was.preferred != *now->preferred) {
            section.changes.push_back(changed(was.protocol + " preferred", *was.preferred, *now->preferred));
        }
    }
    return section;
}

DiffSection compare_signatures(const ScanResult& a, const ScanResult& b) {
    DiffSection section{"scan.signature_algorithms", "signature algorithms the server signs with, per version", {}};
    for (const SignatureList& was : a.signature_algorithms) {
        const SignatureList* now = by_protocol(b.signature_algorithms, was.protocol);
        if (now != nullptr) compare_items({was.protocol, was.accepted, now->accepted, "signature algorithm"}, section.changes);
    }
    return section;
}

// ---- certificates ----

// Certificates by key type, a second of one type as "rsa-2048 #2": a server
// that answers by SNI or signature scheme may present several.
std::map<std::string, const CertificateResult*> by_key(const ScanResult& s) {
    std::map<std::string, const CertificateResult*> out;
    std::map<std::string, int> seen;
    for (const CertificateResult& c : s.certificates) {
        const int n = ++seen[c.key];
        out[n == 1 ? c.key : fmt::format("{} #{}", c.key, n)] = &c;
    }
    return out;
}

void compare_field(const std::string& label, std::string_view field, const std::string& was, const std::string& now,
                   std::vector<Change>& out) {
    if (was != now) out.push_back(changed(fmt::format("{} {}", label, field), was, now));
}

void compare_verdict(const std::string& label, std::string_view field, const Verdict& was, const Verdict& now,
                     std::vector<Change>& out) {
    if (comparable(was, now) && was.answer != now.answer) {
        out.push_back(changed(fmt::format("{} {}", label, field), verdict_text(was), verdict_text(now)));
    }
}

// The fingerprint alone is no line: a new one means a new certificate, said
// once as "replaced", with the fields that changed beside it.
void compare_certificate(const std::string& label, const CertificateResult& was, const CertificateResult& now,
                         std::vector<Change>& out) {
    if (was.sha256 != now.sha256) {
        out.push_back(changed(label, was.sha256.substr(0, 16), now.sha256.substr(0, 16), "replaced"));
    }
    compare_field(label, "subject", was.subject, now.subject, out);
    compare_field(label, "issuer", was.issuer, now.issuer, out);
    compare_field(label, "not_after", was.not_after, now.not_after, out);
    compare_field(label, "signature_algorithm", was.signature_algorithm, now.signature_algorithm, out);
    compare_field(label, "chain_length", std::to_string(was.chain_length), std::to_string(now.chain_length), out);
    compare_verdict(label, "trusted", was.trusted, now.trusted, out);
    compare_verdict(label, "name_match", was.name_match, now.name_match, out);
}

DiffSection compare_certificates(const ScanResult& a, const ScanResult& b) {
    DiffSection section{"scan.certificates", "certificates the server presents", {}};
    const auto was = by_key(a), now = by_key(b);
    for (const auto& [label, c] : was) {
        const auto it = now.find(label);
        if (it == now.end()) section.changes.push_back(removed(label, c->subject));
        else compare_certificate(label, *c, *it->second, section.changes);
    }
    for (const auto& [label, c] : now) {
        if (!was.count(label)) section.changes.push_back(added(label, c->subject));
    }
    return section;
}

// ---- ALPN, features, profiles ----

DiffSection compare_alpn(const ScanResult& a, const ScanResult& b) {
    DiffSection section{"scan.alpn", "ALPN protocols", {}};
    compare_verdict("ALPN", "supported", a.alpn.supported, b.alpn.supported, section.changes);
    for (const auto& p : a.alpn.accepted) {
        if (!contains(b.alpn.accepted, p)) section.changes.push_back(removed(p, p));
    }
    for (const auto& p : b.alpn.accepted) {
        if (!contains(a.alpn.accepted, p)) section.changes.push_back(added(p, p));
    }
    if (a.alpn.preferred && b.alpn.preferred && *a.alpn.preferred != *b.alpn.preferred) {
        section.changes.push_back(changed("preferred", *a.alpn.preferred, *b.alpn.preferred));
    }
    return section;
}

// Only the answer makes a change ("2 tickets" becoming "1 ticket" does not);
// the texts carry the detail for the reader.
DiffSection compare_features(const ScanResult& a, const ScanResult& b) {
    DiffSection section{"scan.features", "behaviour (resumption, renegotiation, extensions)", {}};
    for (const Feature& was : a.features) {
        const Feature* now = b.feature(was.id);
        if (now == nullptr || !comparable(was.verdict, now->verdict) || was.verdict.answer == now->verdict.answer) continue;
        section.changes.push_back(changed(was.id, verdict_text(was.verdict), verdict_text(now->verdict)));
    }
    return section;
}

std::string_view standing(bool complies) { return complies ? "complies" : "deviates"; }

DiffSection compare_profiles(const ScanResult& a, const ScanResult& b) {
    DiffSection section{"scan.profiles", "Mozilla server-side TLS profiles", {}};
    for (const ProfileVerdict& was : a.profiles) {
        const auto now = std::find_if(b.profiles.begin(), b.profiles.end(),
                                      [&](const ProfileVerdict& p) { return p.profile == was.profile; });
        if (now == b.profiles.end()) continue;
        if (was.complies != now->complies) {
            section.changes.push_back(
                changed(was.profile, std::string(standing(was.complies)), std::string(standing(now->complies))));
        }
        for (const auto& d : was.deviations) {
            if (!contains(now->deviations, d)) section.changes.push_back(removed(was.profile, d));
        }
        for (const auto& d : now->deviations) {
            if (!contains(was.deviations, d)) section.changes.push_back(added(was.profile, d));
        }
    }
    return section;
}

}  // namespace

std::vector<std::string> scan_section_ids() {
    return {"scan.protocols", "scan.suites", "scan.groups", "scan.signature_algorithms",
            "scan.certificates", "scan.alpn", "scan.features", "scan.profiles"};
}

bool is_scan_section_id(std::string_view id) {
    const auto ids = scan_section_ids();
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

audit::Diff compare_scans(const ScanResult& a, const ScanResult& b, const audit::Side& old_side,
                          const audit::Side& new_side, const std::set<std::string>& ignore) {
    audit::Diff diff{old_side, new_side, {}, {}, audit::DiffOf::scans, {}};
    std::vector<std::string> protocol_notes;
    for (DiffSection section : {compare_protocols(a, b, protocol_notes), compare_suites(a, b), compare_groups(a, b),
                                compare_signatures(a, b), compare_certificates(a, b), compare_alpn(a, b),
                                compare_features(a, b), compare_profiles(a, b)}) {
        if (!section.changes.empty() && !ignore.count(section.id)) diff.sections.push_back(std::move(section));
    }
    if (!ignore.count("scan.protocols")) diff.notes = std::move(protocol_notes);
    diff.findings = audit::find(diff);
    return diff;
}

}  // namespace sslfeatures::scan
