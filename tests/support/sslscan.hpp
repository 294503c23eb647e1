// sslscan's view of a server, for comparing `sslfeatures scan` with an
// established scanner. One run writes its XML to a file and its text to
// stdout: the XML holds protocols, ciphers, groups, signature algorithms,
// certificates, renegotiation and heartbleed; sslscan 2.0.7 puts the
// fallback SCSV and compression verdicts in the text only, so those come from
// there. Everything is recorded as sslscan reports it: it links the system
// OpenSSL (3.0), so it cannot offer SSLv2/SSLv3 or compression, and it sees
// only the certificate its own signature algorithms select.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace sslfeatures::testing {

struct SslscanCipher {
    std::string version;   // sslscan's name: "TLSv1.2", "TLSv1.3"
    std::string name;      // OpenSSL's name: "ECDHE-RSA-AES128-GCM-SHA256"
    std::string id;        // "0xC02F"
    int bits = 0;
    bool preferred = false;  // status="preferred": what the server chose first
    std::string strength;    // "strong", "acceptable", ...
    std::string curve;       // key exchange as sslscan names it ("25519"), or ""
};

struct SslscanGroup {
    std::string version;  // "TLSv1.2"
    std::string name;     // as printed: "secp256r1 (NIST P-256)", "x25519"
    std::string id;       // "0x0017"
    int bits = 0;
};

struct SslscanSignatureAlgorithm {  // with --show-sigs
    std::string version;
    std::string name;  // "rsa_pss_rsae_sha256"
    std::string id;    // "0x0804"
};

struct SslscanCertificate {
    std::string signature_algorithm;  // "sha256WithRSAEncryption", "ecdsa-with-SHA256"
    std::string key_type;             // "RSA", "EC"
    int key_bits = 0;                 // RSA modulus bits; for EC sslscan prints the strength (128)
    std::string curve;                // "prime256v1" for EC, else ""
    std::string subject;              // the CN as sslscan prints it
    std::string issuer;
    bool self_signed = false;
    bool expired = false;
    std::string not_before, not_after;
};

struct SslscanResult {
    Result run;        // exit code, text output (out) and errors
    std::string xml;   // the XML it wrote
    std::string error; // why the output could not be read; "" when it could

    std::map<std::string, bool> protocols;  // "SSLv2" ... "TLSv1.3" -> enabled
    std::vector<SslscanCipher> ciphers;     // in sslscan's order (per version, preferred first)
    std::vector<SslscanGroup> groups;
    std::vector<SslscanSignatureAlgorithm> signature_algorithms;
    std::vector<SslscanCertificate> certificates;
    std::optional<bool> renegotiation_supported;
    std::optional<bool> renegotiation_secure;
    std::map<std::string, bool> heartbleed;  // version -> vulnerable
    std::optional<bool> fallback_scsv;       // nullopt when sslscan could not tell
    std::string fallback_text;               // its line, as printed
    std::optional<bool> compression;         // nullopt: its OpenSSL cannot test compression
    std::string compression_text;

    std::vector<std::string> enabled_protocols() const;
    // Cipher names accepted for `version`, in sslscan's order.
    std::vector<std::string> ciphers_for(const std::string& version) const;
    // The one marked preferred for `version`, or "".
    std::string preferred_cipher(const std::string& version) const;
    // Group ids for `version` ("0x001d"), in sslscan's order.
    std::vector<std::string> group_ids_for(const std::string& version) const;
};

// `sslscan --no-colour --xml=FILE [extra...] TARGET`, bounded in time.
// `target` is "127.0.0.1:PORT".
SslscanResult sslscan(const std::string& target, const std::vector<std::string>& extra = {});

// The parsers on their own, for output kept from an earlier run.
void parse_sslscan_xml(const std::string& xml, SslscanResult& into);
void parse_sslscan_text(const std::string& text, SslscanResult& into);

// A minimal XML reader, enough for sslscan's output: elements, attributes
// (with the five predefined entities and numeric references), text and
// CDATA; declarations and comments skipped. Throws std::runtime_error on
// malformed input.
struct XmlElement {
    std::string name;
    std::map<std::string, std::string> attributes;
    std::string text;  // character data directly inside, CDATA included
    std::vector<XmlElement> children;

    std::string attr(const std::string& key) const;  // "" when absent
    const XmlElement* child(const std::string& name) const;
};
XmlElement parse_xml(const std::string& text);

}  // namespace sslfeatures::testing
