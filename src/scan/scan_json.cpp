#include "scan/scan_json.hpp"

#include <fmt/format.h>

#include "audit/json_node.hpp"
#include "reflect/library_info.hpp"

namespace sslfeatures::scan {
namespace {

using Json = nlohmann::ordered_json;
using audit::Node;

// ---- writing ----------------------------------------------------------------

Json verdict_json(const Verdict& v) {
    Json j = {{"answer", answer_name(v.answer)}};
    if (!v.detail.empty()) j["detail"] = v.detail;
    return j;
}

template <typename T>
Json optional_json(const std::optional<T>& value) {
    return value ? Json(*value) : Json(nullptr);
}

Json suites_json(const std::vector<SuiteList>& lists) {
    Json out = Json::array();
    for (const SuiteList& l : lists) {
        Json suites = Json::array();
        for (const Suite& s : l.accepted) suites.push_back({{"name", s.name}, {"iana", s.iana}});
        out.push_back({{"protocol", l.protocol}, {"server_order", optional_json(l.server_order)}, {"accepted", suites}});
    }
    return out;
}

Json groups_json(const std::vector<GroupList>& lists) {
    Json out = Json::array();
    for (const GroupList& l : lists) {
        out.push_back({{"protocol", l.protocol},
                       {"server_order", optional_json(l.server_order)},
                       {"preferred", optional_json(l.preferred)},
                       {"accepted", l.accepted}});
    }
    return out;
}

Json certificate_json(const CertificateResult& c) {
    return {{"key", c.key},
            {"subject", c.subject},
            {"issuer", c.issuer},
            {"names", c.names},
            {"not_before", c.not_before},
            {"not_after", c.not_after},
            {"lifetime_days", c.lifetime_days},
            {"signature_algorithm", c.signature_algorithm},
            {"sha256", c.sha256},
            {"chain_length", c.chain_length},
            {"trusted", verdict_json(c.trusted)},
            {"name_match", verdict_json(c.name_match)},
            {"served_for", c.served_for}};
}

// ---- reading ----------------------------------------------------------------

Verdict read_verdict(const Node& n) {
    const std::string name = n.at("answer").text();
    const std::optional<Answer> answer = parse_answer(name);
    if (!answer) n.at("answer").fail(fmt::format("'{}' is not yes, no, not tested or not applicable", name));
    return {*answer, n.has("detail") ? n.at("detail").text() : ""};
}

template <typename T, typename Read>
std::optional<T> read_optional(const Node& n, Read read) {
    if (n.json().is_null()) return std::nullopt;
    return read(n);
}

std::optional<bool> read_order(const Node& n) {
    return read_optional<bool>(n, [](const Node& x) { return x.boolean(); });
}

CertificateResult read_certificate(const Node& n) {
    CertificateResult c;
    c.key = n.at("key").text();
    c.subject = n.at("subject").text();
    c.issuer = n.at("issuer").text();
    c.names = n.at("names").strings();
    c.not_before = n.at("not_before").text();
    c.not_after = n.at("not_after").text();
    c.lifetime_days = n.at("lifetime_days").small_int();
    c.signature_algorithm = n.at("signature_algorithm").text();
    c.sha256 = n.at("sha256").text();
    c.chain_length = n.at("chain_length").small_int();
    c.trusted = read_verdict(n.at("trusted"));
    c.name_match = read_verdict(n.at("name_match"));
    c.served_for = n.at("served_for").strings();
    return c;
}

void read_lists(const Node& root, ScanResult& s) {
    root.at("protocols").for_each_item([&](const Node& p) {
        s.protocols.push_back({p.at("name").text(), read_verdict(p.at("accepted"))});
    });
    root.at("suites").for_each_item([&](const Node& l) {
        SuiteList list{l.at("protocol").text(), {}, read_order(l.at("server_order"))};
        l.at("accepted").for_each_item([&](const Node& x) { list.accepted.push_back({x.at("name").text(), x.at("iana").text()}); });
        s.suites.push_back(std::move(list));
    });
    root.at("groups").for_each_item([&](const Node& l) {
        s.groups.push_back({l.at("protocol").text(), l.at("accepted").strings(), read_order(l.at("server_order")),
                            read_optional<std::string>(l.at("preferred"), [](const Node& x) { return x.text(); })});
    });
    root.at("signature_algorithms").for_each_item([&](const Node& l) {
        s.signature_algorithms.push_back({l.at("protocol").text(), l.at("accepted").strings()});
    });
    root.at("certificates").for_each_item([&](const Node& c) { s.certificates.push_back(read_certificate(c)); });
    root.at("features").for_each_item([&](const Node& f) {
        s.features.push_back({f.at("id").text(), f.at("title").text(), read_verdict(f.at("verdict"))});
    });
    root.at("profiles").for_each_item([&](const Node& p) {
        s.profiles.push_back({p.at("profile").text(), p.at("complies").boolean(), p.at("deviations").strings()});
    });
}

void check_schema(const Node& root) {
    if (!root.json().is_object()) root.expected("a scan (a JSON object)");
    const std::string schema = root.at("schema").text();
    if (schema != kScanSchema) {
        root.at("schema").fail(fmt::format("this is a '{}' document, not a scan ('{}'); make one with "
                                           "`sslfeatures scan HOST -f json`", schema, kScanSchema));
    }
    const int version = root.at("schema_version").small_int();
    if (version != kScanSchemaVersion) {
        root.at("schema_version").fail(fmt::format("scan schema version {} is not one this sslfeatures reads (it reads {})",
                                                   version, kScanSchemaVersion));
    }
}

}  // namespace

Json to_json(const ScanResult& s) {
    Json doc = reflect::document_head(kScanSchema, kScanSchemaVersion);
    doc["target"] = {{"host", s.target.host}, {"port", s.target.port}, {"sni", s.target.sni}};
    doc["library"] = s.library;
    Json protocols = Json::array();
    for (const ProtocolResult& p : s.protocols) protocols.push_back({{"name", p.name}, {"accepted", verdict_json(p.accepted)}});
    doc["protocols"] = protocols;
    doc["suites"] = suites_json(s.suites);
    doc["groups"] = groups_json(s.groups);
    doc["groups_not_tested"] = s.groups_not_tested;
    doc["dhe_bits"] = optional_json(s.dhe_bits);
    Json sigalgs = Json::array();
    for (const SignatureList& l : s.signature_algorithms) sigalgs.push_back({{"protocol", l.protocol}, {"accepted", l.accepted}});
    doc["signature_algorithms"] = sigalgs;
    Json certificates = Json::array();
    for (const CertificateResult& c : s.certificates) certificates.push_back(certificate_json(c));
    doc["certificates"] = certificates;
    doc["alpn"] = {{"supported", verdict_json(s.alpn.supported)}, {"accepted", s.alpn.accepted},
                   {"preferred", optional_json(s.alpn.preferred)}};
    Json features = Json::array();
    for (const Feature& f : s.features) features.push_back({{"id", f.id}, {"title", f.title}, {"verdict", verdict_json(f.verdict)}});
    doc["features"] = features;
    doc["profiles_source"] = s.profiles_source;
    Json profiles = Json::array();
    for (const ProfileVerdict& p : s.profiles) {
        profiles.push_back({{"profile", p.profile}, {"complies", p.complies}, {"deviations", p.deviations}});
    }
    doc["profiles"] = profiles;
    doc["stats"] = {{"connections", s.stats.connections}, {"elapsed_ms", s.stats.elapsed_ms}};
    return doc;
}

bool is_scan_document(const nlohmann::ordered_json& doc) {
    return doc.is_object() && doc.contains("schema") && doc["schema"] == kScanSchema;
}

ScanResult scan_from_json(const nlohmann::ordered_json& doc, std::string_view source) {
    const Node root(doc, "", source);
    check_schema(root);
    ScanResult s;
    const Node target = root.at("target");
    s.target = {target.at("host").text(), target.at("port").small_int(), target.at("sni").text()};
    s.library = root.at("library").text();
    read_lists(root, s);
    s.groups_not_tested = root.at("groups_not_tested").strings();
    s.dhe_bits = read_optional<int>(root.at("dhe_bits"), [](const Node& x) { return x.small_int(); });
    const Node alpn = root.at("alpn");
    s.alpn = {alpn.at("accepted").strings(),
              read_optional<std::string>(alpn.at("preferred"), [](const Node& x) { return x.text(); }),
              read_verdict(alpn.at("supported"))};
    s.profiles_source = root.at("profiles_source").text();
    const Node stats = root.at("stats");
    s.stats = {stats.at("connections").small_int(), stats.at("elapsed_ms").number()};
    return s;
}

}  // namespace sslfeatures::scan
