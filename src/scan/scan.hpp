// What a live TLS server accepts, found by connecting to it: the protocol
// versions it completes, its suites per version and whose order decides,
// its groups, signature algorithms and certificates, ALPN, resumption and
// the extensions a client can see it honour. One typed model that the scan's
// JSON (scan_json), its text and Markdown (render/scan_report), the Mozilla
// profile verdicts (profiles) and the diff of two scans (scan_diff) read.
//
// Nothing the library here cannot offer is ever reported as refused by the
// server: it is `not_tested`, with the reason.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace sslfeatures::scan {

// The answer to a yes/no question about the server.
enum class Answer { yes, no, not_tested, not_applicable };
std::string_view answer_name(Answer answer);  // "yes", "no", "not tested", "not applicable"
std::optional<Answer> parse_answer(std::string_view name);

// An answer and what backs it: "inappropriate_fallback alert", "library lacks
// zlib compression", "2 tickets".
struct Verdict {
    Answer answer = Answer::not_tested;
    std::string detail;
    friend bool operator==(const Verdict&, const Verdict&) = default;
};

struct Target {
    std::string host;  // as the user typed it, without brackets
    int port = 443;
    std::string sni;   // the server name sent; empty for an IP address
};

// One protocol version: did the server complete a handshake pinned to it?
struct ProtocolResult {
    std::string name;  // "TLSv1.3" (tls::protocol_name)
    Verdict accepted;
};

struct Suite {
    std::string name;  // OpenSSL's: "ECDHE-RSA-AES128-GCM-SHA256"
    std::string iana;  // the registry's: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
    friend bool operator==(const Suite&, const Suite&) = default;
};

// The suites one accepted version takes. With `server_order` true, `accepted`
// is the server's order of preference; otherwise the order we probed in
// (code points), and the client's order decides.
struct SuiteList {
    std::string protocol;
    std::vector<Suite> accepted;
    std::optional<bool> server_order;  // nullopt: fewer than two suites to tell by
};

// The groups one accepted version (TLS 1.3, or TLS 1.2's ECDHE) takes, in the
// server's order when it imposes one.
struct GroupList {
    std::string protocol;
    std::vector<std::string> accepted;  // TLS names: "x25519", "secp256r1", "X25519MLKEM768"
    std::optional<bool> server_order;
    std::optional<std::string> preferred;  // chosen when every accepted group is offered
};

// The signature schemes a version's server signs with when a client offers
// only that one (IANA names, "ecdsa_secp256r1_sha256").
struct SignatureList {
    std::string protocol;
    std::vector<std::string> accepted;
};

// A leaf the server presented, with its chain, once per distinct certificate.
struct CertificateResult {
    std::string key;                  // tls::key_name: "rsa-2048", "ecdsa-p256"
    std::string subject, issuer;      // RFC 2253
    std::vector<std::string> names;   // subjectAltName DNS and IP entries
    std::string not_before, not_after;  // "2027-01-01T00:00:00Z"
    int lifetime_days = 0;
    std::string signature_algorithm;  // "sha256WithRSAEncryption"
    std::string sha256;               // fingerprint, lowercase hex
    int chain_length = 0;             // certificates sent, leaf included
    Verdict trusted;                  // against the trust store: yes, or no with the verify error
    Verdict name_match;               // against the target's host name
    std::vector<std::string> served_for;  // how it was obtained: "TLSv1.3 ecdsa_secp256r1_sha256"
};

struct Alpn {
    std::vector<std::string> accepted;      // each offered alone and chosen
    std::optional<std::string> preferred;   // chosen when all are offered
    Verdict supported;                      // no: the server ignored ALPN
};

// A further behaviour: resumption, renegotiation, compression, EMS, EtM,
// OCSP stapling, the fallback SCSV, HelloRetryRequest.
struct Feature {
    std::string id;     // "resumption.session_id", "fallback_scsv" ...: stable, for diffs and JSON
    std::string title;  // "Session resumption by ID"
    Verdict verdict;
};

// How a scan went: connections made and how long it took.
struct ScanStats {
    int connections = 0;
    double elapsed_ms = 0;
};

// A Mozilla server-side TLS profile and how the server stands against it.
struct ProfileVerdict {
    std::string profile;  // "modern", "intermediate", "old"
    bool complies = false;
    std::vector<std::string> deviations;  // one sentence each
};

struct ScanResult {
    Target target;
    std::string library;  // the OpenSSL that probed: "OpenSSL 3.0.22 25 Aug 2026"
    std::vector<ProtocolResult> protocols;        // oldest first
    std::vector<SuiteList> suites;                // per accepted version, newest first
    std::vector<GroupList> groups;                // TLS 1.3 and TLS 1.2 when accepted
    std::vector<std::string> groups_not_tested;   // "x448 (library lacks it)"
    std::optional<int> dhe_bits;                  // the DH prime size a DHE suite used
    std::vector<SignatureList> signature_algorithms;
    std::vector<CertificateResult> certificates;
    Alpn alpn;
    std::vector<Feature> features;
    std::string profiles_source;                  // "Mozilla server-side TLS 5.7 (...)"
    std::vector<ProfileVerdict> profiles;
    ScanStats stats;

    // The protocols the server completed, by name.
    std::vector<std::string> accepted_protocols() const;
    const Feature* feature(std::string_view id) const;
};

}  // namespace sslfeatures::scan
