#include "scan/scanner.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <mutex>
#include <tuple>

#include <fmt/format.h>
#include <openssl/comp.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "reflect/groups.hpp"
#include "scan/certificates.hpp"
#include "scan/pool.hpp"
#include "tls/host_names.hpp"
#include "tls/keys.hpp"
#include "tls/signature_schemes.hpp"
#include "tls/versions.hpp"
#include "tls/x509_text.hpp"
#include "util/error.hpp"
#include "util/openssl_text.hpp"

namespace sslfeatures::scan {
namespace {

using Clock = std::chrono::steady_clock;

// Oldest first, as the report lists them. SSLv2 is left out: no OpenSSL this
// tool builds against has spoken it since 1.1.0.
constexpr std::array<int, 5> kVersions = {SSL3_VERSION, TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION,
                                          TLS1_3_VERSION};

// Groups in common use that a scan should name when the library here cannot
// offer them, so that "not accepted" is never said of what was never asked.
constexpr std::array<std::string_view, 11> kGroupsOfInterest = {
    "x25519", "x448", "secp256r1", "secp384r1", "secp521r1", "ffdhe2048", "ffdhe3072",
    "X25519MLKEM768", "SecP256r1MLKEM768", "SecP384r1MLKEM1024", "MLKEM768"};

// ALPN protocols a TCP server is asked about, each alone and then together.
const std::vector<std::string> kAlpnProtocols = {"h2", "http/1.1"};

std::string joined(const std::vector<std::string>& names, char sep = ':') {
    std::string out;
    for (const std::string& n : names) out += (out.empty() ? "" : std::string(1, sep)) + n;
    return out;
}

std::vector<std::string> names_of(const std::vector<Suite>& suites) {
    std::vector<std::string> names;
    for (const Suite& s : suites) names.push_back(s.name);
    return names;
}

// How this library wants a group spelt when it is offered: 1.1.1 takes
// "prime256v1" and "X25519" where 3.x takes the TLS names.
std::string offer_spelling(const std::string& group) {
    if (library_takes_groups(group)) return group;
    for (const char* alias : {"prime192v1", "prime256v1", "X25519", "X448"}) {
        if (reflect::tls_group_spelling(alias) == group && library_takes_groups(alias)) return alias;
    }
    return "";
}

struct OfferedGroup {
    std::string name;   // TLS spelling, as reported
    std::string offer;  // as this library takes it
};

std::vector<OfferedGroup> library_groups() {
    std::vector<OfferedGroup> groups;
    for (const std::string& name : reflect::tls_group_names()) {
        if (std::string offer = offer_spelling(name); !offer.empty()) groups.push_back({name, offer});
    }
    return groups;
}

std::string offer_list(const std::vector<OfferedGroup>& groups) {
    std::string out;
    for (const OfferedGroup& g : groups) out += (out.empty() ? "" : ":") + g.offer;
    return out;
}

// A probe pinned to `version` (0: the library's range), with `change` applied:
// designated initializers would leave -Wextra complaining of every field not named.
template <typename Change>
ProbeSpec spec_at(int version, Change change) {
    ProbeSpec spec;
    spec.version = version;
    change(spec);
    return spec;
}

class Scanner {
  public:
    Scanner(const Target& target, const ScanOptions& options)
        : options_(options),
          store_(trust_store(options.ca_file)),  // a bad CA file fails before any connection
          prober_(target, options.timeout),
          pool_(prober_, options.at_once, options.at_most) {
        result_.target = target;
        result_.library = OpenSSL_version(OPENSSL_VERSION);
    }

    ScanResult run() {
        const auto start = Clock::now();
        phase("protocols");
        scan_protocols();
        if (result_.accepted_protocols().empty()) {
            refuse_if_not_tls();
            return finish(start);
        }
        phase("suites and groups");
        scan_suites_and_groups();
        phase("signature algorithms");
        scan_signature_algorithms();
        phase("behaviour");
        scan_alpn();
        scan_features();
        phase("certificates");
        judge_certificates();
        return finish(start);
    }

  private:
    void phase(std::string_view name) {
        if (options_.progress) options_.progress(name, pool_.connections());
    }

    ScanResult finish(Clock::time_point start) {
        result_.stats.connections = pool_.connections();
        result_.stats.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        return std::move(result_);
    }

    bool accepted(int version) const {
        for (const ProtocolResult& p : result_.protocols) {
            if (p.name == tls::protocol_name(version)) return p.accepted.answer == Answer::yes;
        }
        return false;
    }

    std::vector<int> accepted_versions() const {
        std::vector<int> versions;
        for (int v : kVersions) {
            if (accepted(v)) versions.push_back(v);
        }
        return versions;
    }

    // The newest accepted version no later than `limit`; 0 for none.
    int newest_accepted(int limit = TLS1_3_VERSION) const {
        int best = 0;
        for (int v : accepted_versions()) {
            if (v <= limit) best = v;
        }
        return best;
    }

    // ---- protocols --------------------------------------------------------

    void scan_protocols() {
        std::vector<ProbeSpec> specs;
        std::vector<int> asked;
        for (int v : kVersions) {
            if (!library_offers_version(v)) continue;
            ProbeSpec spec;
            spec.version = v;
            specs.push_back(spec);
            asked.push_back(v);
        }
        const std::vector<ProbeResult> results = pool_.run_all(specs);
        for (int v : kVersions) {
            ProtocolResult p{tls::protocol_name(v), {}};
            const auto it = std::find(asked.begin(), asked.end(), v);
            if (it == asked.end()) {
                p.accepted = {Answer::not_tested, fmt::format("library lacks {}", p.name)};
            } else {
                const ProbeResult& r = results[static_cast<std::size_t>(it - asked.begin())];
                p.accepted = r.completed() ? Verdict{Answer::yes, r.cipher} : Verdict{Answer::no, r.reason};
                if (r.completed()) keep_certificate(r, p.name);
            }
            result_.protocols.push_back(p);
        }
    }

    // A port that answers but not in TLS (HTTP, SMTP ...) is a wrong target,
    // not a server that accepts nothing: one more probe tells them apart.
    void refuse_if_not_tls() {
        const ProbeResult r = pool_.run(spec_at(0, [](ProbeSpec& s) { s.hello_only = true; }));
        if (r.reason == kNotTlsReason) {
            throw Error(kNotTls, fmt::format("{}:{} does not answer in TLS (is it the right port?)", result_.target.host,
                                             result_.target.port));
        }
    }

    // ---- suites, in the server's order when it has one ----------------------

    ProbeSpec suite_spec(int version, const std::vector<std::string>& names, bool hello_only = false) const {
        ProbeSpec spec;
        spec.version = version;
        spec.hello_only = hello_only;
        (version == TLS1_3_VERSION ? spec.ciphersuites : spec.cipher_list) = joined(names);
        return spec;
    }

    // Offers every suite, takes the one chosen out, and again, until the server
    // refuses what is left: the accepted suites in the order it picks them.
    SuiteList suites_of(int version) {
        SuiteList list{tls::protocol_name(version), {}, std::nullopt};
        std::vector<Suite> offer = library_suites(version);
        while (!offer.empty()) {
            const ProbeResult r = pool_.run(suite_spec(version, names_of(offer), true));
            if (!r.completed()) break;
            const auto chosen = std::find_if(offer.begin(), offer.end(), [&](const Suite& s) { return s.name == r.cipher; });
            if (chosen == offer.end()) break;  // a suite we did not offer: stop rather than loop
            list.accepted.push_back(*chosen);
            offer.erase(chosen);
        }
        if (list.accepted.size() >= 2) {
            std::vector<std::string> reversed = names_of(list.accepted);
            std::reverse(reversed.begin(), reversed.end());
            const ProbeResult r = pool_.run(suite_spec(version, reversed, true));
            if (r.completed()) list.server_order = r.cipher == list.accepted.front().name;
        }
        return list;
    }

    // ---- groups ---------------------------------------------------------------

    ProbeSpec group_spec(int version, const std::vector<OfferedGroup>& groups, const std::string& tls12_suites = "kECDHE") const {
        ProbeSpec spec;
        spec.version = version;
        // A TLS 1.3 ServerHello names the group; TLS 1.2 says it only after the
        // certificate, so its probes complete. 1.1.1 cannot name a group by its id.
        spec.hello_only = version == TLS1_3_VERSION && OPENSSL_VERSION_NUMBER >= 0x30000000L;
        spec.empty_key_share = spec.hello_only;
        spec.groups = offer_list(groups);
        if (version != TLS1_3_VERSION) spec.cipher_list = tls12_suites;
        return spec;
    }

    static std::optional<std::size_t> chosen_group(const ProbeResult& r, const std::vector<OfferedGroup>& offer) {
        if (!r.completed() || !r.group) return std::nullopt;
        const std::string got = reflect::tls_group_spelling(*r.group);
        for (std::size_t i = 0; i < offer.size(); ++i) {
            if (offer[i].name == got || offer[i].offer == *r.group) return i;
        }
        return std::nullopt;
    }

    // TLS 1.2 uses groups only for ECDHE. Over an RSA certificate any group
    // will do; an ECDSA certificate can be used only when the client lists its
    // curve too, whatever group the key exchange uses. So the probes use
    // ECDHE-RSA suites when the server has an RSA certificate; otherwise the
    // ECDSA certificate's curve is appended to every offer, and a server that
    // then picks it among the groups already found has no other left (or,
    // in its own order, prefers it: docs/scan.md says so).
    struct Tls12Groups {
        std::string suites = "kECDHE";
        std::optional<OfferedGroup> curve;
    };

    Tls12Groups tls12_group_probe(int version) {
        Tls12Groups how;
        if (version == TLS1_3_VERSION) return how;
        if (pool_.run(spec_at(version, [](ProbeSpec& s) { s.cipher_list = "ECDHE+aRSA"; })).completed()) {
            how.suites = "ECDHE+aRSA";
            return how;
        }
        const ProbeResult r = pool_.run(spec_at(version, [](ProbeSpec& s) { s.cipher_list = "kECDHE"; }));
        if (!r.completed() || r.chain.empty()) return how;
        const std::string key = tls::key_name(X509_get0_pubkey(r.chain.front().get()));
        for (const auto& [name, curve] : {std::pair{"ecdsa-p256", "secp256r1"}, {"ecdsa-p384", "secp384r1"}, {"ecdsa-p521", "secp521r1"}}) {
            if (key == name) how.curve = OfferedGroup{curve, offer_spelling(curve)};
        }
        return how;
    }

    GroupList groups_of(int version) {
        GroupList list{tls::protocol_name(version), {}, std::nullopt, std::nullopt};
        std::vector<OfferedGroup> offer = library_groups();
        const Tls12Groups how = tls12_group_probe(version);
        const std::optional<OfferedGroup>& curve = how.curve;
        auto with_curve = [&](std::vector<OfferedGroup> groups) {
            const bool listed = std::any_of(groups.begin(), groups.end(), [&](const OfferedGroup& g) { return curve && g.name == curve->name; });
            if (curve && !listed) groups.push_back(*curve);
            return groups;
        };
        std::vector<OfferedGroup> found;
        while (!offer.empty()) {
            const std::vector<OfferedGroup> sent = with_curve(offer);
            const auto i = chosen_group(pool_.run(group_spec(version, sent, how.suites)), sent);
            if (!i || *i >= offer.size()) break;
            found.push_back(offer[*i]);
            offer.erase(offer.begin() + static_cast<std::ptrdiff_t>(*i));
        }
        for (const OfferedGroup& g : found) list.accepted.push_back(g.name);
        if (found.size() >= 2) {
            std::vector<OfferedGroup> reversed(found.rbegin(), found.rend());
            if (const auto i = chosen_group(pool_.run(group_spec(version, with_curve(reversed), how.suites)), with_curve(reversed))) {
                list.server_order = reversed[*i].name == found.front().name;
                if (*list.server_order) list.preferred = found.front().name;
            }
        }
        return list;
    }

    void scan_suites_and_groups() {
        std::vector<int> versions = accepted_versions();
        std::reverse(versions.begin(), versions.end());  // newest first
        std::vector<SuiteList> suites(versions.size());
        std::vector<std::function<void()>> jobs;
        for (std::size_t i = 0; i < versions.size(); ++i) {
            jobs.emplace_back([this, &suites, &versions, i] { suites[i] = suites_of(versions[i]); });
        }
        std::vector<int> group_versions;
        for (int v : {TLS1_3_VERSION, TLS1_2_VERSION}) {
            if (accepted(v)) group_versions.push_back(v);
        }
        std::vector<GroupList> groups(group_versions.size());
        for (std::size_t i = 0; i < group_versions.size(); ++i) {
            jobs.emplace_back([this, &groups, &group_versions, i] { groups[i] = groups_of(group_versions[i]); });
        }
        pool_.run_jobs(jobs);
        result_.suites = std::move(suites);
        result_.groups = std::move(groups);
        for (std::string_view name : kGroupsOfInterest) {
            if (offer_spelling(std::string(name)).empty()) {
                result_.groups_not_tested.push_back(fmt::format("{} (library lacks it)", name));
            }
        }
        find_dhe_bits();
    }

    void find_dhe_bits() {
        for (const SuiteList& list : result_.suites) {
            for (const Suite& s : list.accepted) {
                if (s.iana.rfind("TLS_DHE_", 0) != 0) continue;
                ProbeSpec spec = suite_spec(*tls::parse_protocol(list.protocol), {s.name});
                if (const ProbeResult r = pool_.run(spec); r.completed()) result_.dhe_bits = r.dh_bits;
                return;
            }
        }
    }

    // ---- signature schemes, and the certificates they bring -------------------

    static std::vector<std::string> library_signature_schemes() {
        std::vector<std::string> names;
        for (unsigned code = 0x0100; code < 0x0a00; ++code) {
            const tls::SignatureScheme scheme = tls::SignatureScheme::from_code(static_cast<std::uint16_t>(code));
            if (scheme.name().rfind("0x", 0) == 0) continue;
            if (library_takes_sigalgs(scheme.name())) names.push_back(scheme.name());
        }
        return names;
    }

    void scan_signature_algorithms() {
        const std::vector<std::string> schemes = library_signature_schemes();
        std::vector<ProbeSpec> specs;
        std::vector<std::pair<int, std::string>> asked;
        for (int v : {TLS1_3_VERSION, TLS1_2_VERSION}) {
            if (!accepted(v)) continue;
            for (const std::string& scheme : schemes) {
                ProbeSpec spec;
                spec.version = v;
                spec.sigalgs = scheme;
                // TLS 1.2 signs only in an ephemeral key exchange.
                if (v == TLS1_2_VERSION) spec.cipher_list = "kECDHE:kDHE";
                specs.push_back(spec);
                asked.emplace_back(v, scheme);
            }
        }
        const std::vector<ProbeResult> results = pool_.run_all(specs);
        std::map<int, SignatureList> lists;
        for (std::size_t i = 0; i < results.size(); ++i) {
            const auto& [version, scheme] = asked[i];
            SignatureList& list = lists[version];
            list.protocol = tls::protocol_name(version);
            if (results[i].completed() && results[i].signature == scheme) {
                list.accepted.push_back(scheme);
                keep_certificate(results[i], fmt::format("{} {}", list.protocol, scheme));
            }
        }
        for (auto it = lists.rbegin(); it != lists.rend(); ++it) result_.signature_algorithms.push_back(it->second);
    }

    void keep_certificate(const ProbeResult& r, const std::string& how) {
        if (r.chain.empty()) return;
        const std::lock_guard lock(certificates_mutex_);
        const std::string print = sha256_fingerprint(r.chain.front().get());
        for (std::size_t i = 0; i < result_.certificates.size(); ++i) {
            if (result_.certificates[i].sha256 == print) {
                result_.certificates[i].served_for.push_back(how);
                return;
            }
        }
        CertificateResult c;
        c.sha256 = print;
        c.served_for.push_back(how);
        result_.certificates.push_back(std::move(c));
        std::vector<X509Ptr> chain;
        for (const X509Ptr& cert : r.chain) {
            X509_up_ref(cert.get());
            chain.emplace_back(cert.get());
        }
        chains_.push_back(std::move(chain));
    }

    // ---- ALPN ----------------------------------------------------------------

    void scan_alpn() {
        const int version = newest_accepted();
        std::vector<ProbeSpec> specs;
        for (const std::string& p : kAlpnProtocols) {
            specs.push_back(spec_at(version, [&](ProbeSpec& s) { s.alpn = {p}; }));
        }
        specs.push_back(spec_at(version, [](ProbeSpec& s) { s.alpn = kAlpnProtocols; }));
        const std::vector<ProbeResult> results = pool_.run_all(specs);
        for (std::size_t i = 0; i < kAlpnProtocols.size(); ++i) {
            if (results[i].alpn == kAlpnProtocols[i]) result_.alpn.accepted.push_back(kAlpnProtocols[i]);
        }
        result_.alpn.preferred = results.back().alpn;
        result_.alpn.supported = result_.alpn.accepted.empty()
            ? Verdict{Answer::no, "no protocol selected when offered h2 or http/1.1"}
            : Verdict{Answer::yes, joined(result_.alpn.accepted, ',')};
    }

    // ---- behaviours ------------------------------------------------------------

    Feature resumption(const std::string& id, const std::string& title, int version, bool tickets) {
        Feature f{id, title, {}};
        if (version == 0) {
            f.verdict = {Answer::not_applicable, tickets ? "no TLS 1.2 or older accepted" : "no TLS 1.2 or older accepted: TLS 1.3 resumes by ticket only"};
            return f;
        }
        ProbeSpec first = spec_at(version, [&](ProbeSpec& s) {
            s.no_ticket = !tickets;
            s.wait_for_tickets = version == TLS1_3_VERSION;
        });
        const ProbeResult r1 = pool_.run(first);
        if (!r1.completed() || !r1.session) return {id, title, {Answer::no, "no session was handed over"}};
        if (tickets && r1.tickets == 0) return {id, title, {Answer::no, "no ticket was issued"}};
        ProbeSpec second = first;
        second.wait_for_tickets = false;
        second.resume = r1.session.get();
        const ProbeResult r2 = pool_.run(second);
        const std::string issued = version == TLS1_3_VERSION ? fmt::format("{} ticket{} issued", r1.tickets, r1.tickets == 1 ? "" : "s") : "";
        if (r2.completed() && r2.resumed) return {id, title, {Answer::yes, issued.empty() ? "resumed" : "resumed; " + issued}};
        return {id, title, {Answer::no, issued.empty() ? "a full handshake instead" : "a full handshake instead; " + issued}};
    }

    Feature on_old_protocols(const std::string& id, const std::string& title, std::string_view not_applicable,
                             const std::function<Verdict(const ProbeResult&)>& judge, ProbeSpec spec = {}) {
        const int version = newest_accepted(TLS1_2_VERSION);
        if (version == 0) return {id, title, {Answer::not_applicable, std::string(not_applicable)}};
        spec.version = version;
        const ProbeResult r = pool_.run(spec);
        if (!r.completed()) return {id, title, {Answer::no, r.reason}};
        return {id, title, judge(r)};
    }

    Feature secure_renegotiation() {
        return on_old_protocols("secure_renegotiation", "Secure renegotiation (RFC 5746)",
                                "TLS 1.3 has no renegotiation", [](const ProbeResult& r) {
                                    return r.secure_renegotiation ? Verdict{Answer::yes, ""}
                                                                  : Verdict{Answer::no, "renegotiation_info missing"};
                                });
    }

    Feature extended_master_secret() {
        return on_old_protocols("extended_master_secret", "Extended master secret (RFC 7627)",
                                "TLS 1.3 always binds the master secret to the handshake", [](const ProbeResult& r) {
                                    return Verdict{r.extended_master_secret ? Answer::yes : Answer::no, ""};
                                });
    }

    Feature compression() {
        const std::string id = "compression", title = "TLS compression";
#ifndef OPENSSL_NO_COMP
        if (SSL_COMP_get_compression_methods() != nullptr && sk_SSL_COMP_num(SSL_COMP_get_compression_methods()) > 0) {
            ProbeSpec spec = spec_at(0, [](ProbeSpec& s) { s.allow_compression = true; });
            return on_old_protocols(id, title, "TLS 1.3 has no compression", [](const ProbeResult& r) {
                return r.compression ? Verdict{Answer::yes, *r.compression} : Verdict{Answer::no, ""};
            }, spec);
        }
#endif
        return {id, title, {Answer::not_tested, "library lacks compression"}};
    }

    Feature encrypt_then_mac() {
        const std::string id = "encrypt_then_mac", title = "Encrypt-then-MAC (RFC 7366)";
        std::vector<std::string> cbc;
        int version = 0;
        for (const SuiteList& list : result_.suites) {
            if (list.protocol == "TLSv1.3" || !cbc.empty()) continue;
            for (const Suite& s : list.accepted) {
                if (s.iana.find("_CBC_") != std::string::npos) cbc.push_back(s.name);
            }
            if (!cbc.empty()) version = *tls::parse_protocol(list.protocol);
        }
        if (cbc.empty()) return {id, title, {Answer::not_applicable, "no CBC suite accepted"}};
        const ProbeResult r = pool_.run(suite_spec(version, cbc));
        if (!r.completed()) return {id, title, {Answer::no, r.reason}};
        return {id, title, {r.encrypt_then_mac ? Answer::yes : Answer::no, r.cipher}};
    }

    Feature ocsp_stapling() {
        const ProbeResult r = pool_.run(spec_at(newest_accepted(), [](ProbeSpec& s) { s.request_ocsp = true; }));
        Feature f{"ocsp_stapling", "OCSP stapling", {}};
        if (!r.completed()) f.verdict = {Answer::no, r.reason};
        else if (r.ocsp_bytes > 0) f.verdict = {Answer::yes, fmt::format("{} bytes stapled", r.ocsp_bytes)};
        else f.verdict = {Answer::no, "no response stapled"};
        return f;
    }

    Feature fallback_scsv() {
        const std::string id = "fallback_scsv", title = "TLS_FALLBACK_SCSV (RFC 7507)";
        const std::vector<int> versions = accepted_versions();
        if (versions.size() < 2) return {id, title, {Answer::not_applicable, "one protocol version accepted"}};
        const int lower = versions[versions.size() - 2];
        const ProbeResult r = pool_.run(spec_at(0, [&](ProbeSpec& s) { s.max_version = lower; s.fallback_scsv = true; }));
        if (r.completed()) {
            return {id, title, {Answer::no, fmt::format("completed {} with the SCSV: a downgrade goes unnoticed", tls::protocol_name(r.version))}};
        }
        if (r.alert == SSL_AD_INAPPROPRIATE_FALLBACK) return {id, title, {Answer::yes, "inappropriate_fallback alert"}};
        return {id, title, {Answer::no, r.reason}};
    }

    Feature hello_retry_request() {
        const std::string id = "hello_retry_request", title = "HelloRetryRequest";
        if (!accepted(TLS1_3_VERSION)) return {id, title, {Answer::not_applicable, "TLS 1.3 not accepted"}};
        const GroupList* tls13 = nullptr;
        for (const GroupList& g : result_.groups) {
            if (g.protocol == "TLSv1.3") tls13 = &g;
        }
        if (tls13 == nullptr || tls13->accepted.empty()) return {id, title, {Answer::not_tested, "no TLS 1.3 group found"}};
        std::optional<OfferedGroup> refused, taken;
        for (const OfferedGroup& g : library_groups()) {
            const bool in = std::find(tls13->accepted.begin(), tls13->accepted.end(), g.name) != tls13->accepted.end();
            // Only a group TLS 1.3 can carry a key share in (not a TLS 1.2 curve such as brainpoolP256r1).
            const bool tls13_group = std::find(kGroupsOfInterest.begin(), kGroupsOfInterest.end(), g.name) != kGroupsOfInterest.end() ||
                                     g.name.rfind("ffdhe", 0) == 0;
            if (!in && tls13_group && !refused) refused = g;
            if (g.name == tls13->accepted.front()) taken = g;
        }
        if (!refused || !taken) return {id, title, {Answer::not_tested, "the server accepts every group the library has"}};
        // The key share goes with the first group, which the server refuses.
        const ProbeResult r = pool_.run(spec_at(TLS1_3_VERSION, [&](ProbeSpec& s) { s.groups = refused->offer + ":" + taken->offer; }));
        if (r.completed() && r.hello_retry) return {id, title, {Answer::yes, fmt::format("asked for {} after a {} key share", taken->name, refused->name)}};
        if (r.completed()) return {id, title, {Answer::no, "completed without asking"}};
        return {id, title, {Answer::no, r.reason}};
    }

    void scan_features() {
        const int tls12 = newest_accepted(TLS1_2_VERSION);
        std::vector<Feature> features(10);
        std::vector<std::function<void()>> jobs = {
            [&] { features[0] = resumption("resumption.session_id", "Session resumption by ID", tls12, false); },
            [&] { features[1] = resumption("resumption.ticket", "Resumption by ticket (TLS 1.2)", tls12, true); },
            [&] {
                features[2] = accepted(TLS1_3_VERSION)
                    ? resumption("resumption.tls13", "Session resumption (TLS 1.3)", TLS1_3_VERSION, true)
                    : Feature{"resumption.tls13", "Session resumption (TLS 1.3)", {Answer::not_applicable, "TLS 1.3 not accepted"}};
            },
            [&] { features[3] = secure_renegotiation(); },
            [&] { features[4] = compression(); },
            [&] { features[5] = extended_master_secret(); },
            [&] { features[6] = encrypt_then_mac(); },
            [&] { features[7] = ocsp_stapling(); },
            [&] { features[8] = fallback_scsv(); },
            [&] { features[9] = hello_retry_request(); },
        };
        pool_.run_jobs(jobs);
        result_.features = std::move(features);
    }

    // ---- certificate verdicts, without the network -------------------------------

    void judge_certificates() {
        for (std::size_t i = 0; i < result_.certificates.size(); ++i) {
            describe_certificate(result_.certificates[i], chains_[i], store_.get(), result_.target.host);
        }
        // Probes finish in any order: sort, so that two scans of one server read alike.
        std::sort(result_.certificates.begin(), result_.certificates.end(),
                  [](const CertificateResult& a, const CertificateResult& b) { return std::tie(a.key, a.sha256) < std::tie(b.key, b.sha256); });
        for (CertificateResult& c : result_.certificates) std::sort(c.served_for.begin(), c.served_for.end());
    }

    const ScanOptions& options_;
    X509StorePtr store_;
    Prober prober_;
    ProbePool pool_;
    ScanResult result_;
    std::mutex certificates_mutex_;
    std::vector<std::vector<X509Ptr>> chains_;  // beside result_.certificates
};

}  // namespace

Target parse_target(std::string_view text) {
    const tls::HostPort where = tls::parse_host_port(text, "scan", 443);
    return {where.host, where.port, tls::is_ip_literal(where.host) ? "" : where.host};
}

ScanResult run_scan(const Target& target, const ScanOptions& options) {
    return Scanner(target, options).run();
}

}  // namespace sslfeatures::scan
