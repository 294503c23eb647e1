// The handshake cases `sslfeatures bench` can run: the matrix of protocol,
// cipher suite, certificate key, key-exchange group and mode that the running
// library supports, the selectors that narrow it, and the quick set.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tls/pki.hpp"

namespace sslfeatures::bench {

enum class Mode { full, session_id, ticket };

inline constexpr Mode kModes[] = {Mode::full, Mode::session_id, Mode::ticket};

// "full", "session-id", "ticket" (TLS 1.3: a PSK from a ticket).
std::string_view mode_name(Mode mode);

// One key-exchange group, as cases name it and as OpenSSL's group lists take it.
struct Group {
    std::string_view id;        // "x25519", "p-256", "p-384", "ffdhe2048", "x25519mlkem768", "rsa"
    std::string_view openssl;   // "X25519", "P-256" ... ("" for RSA key exchange)
    std::string_view tls_name;  // the library's TLS name: "x25519", "secp256r1" ...
};

// The groups the issue asks for, in table order. "rsa" stands for RSA key
// transport (TLS 1.2 and older): the client encrypts the secret, no group.
const std::vector<Group>& all_groups();
const Group* find_group(std::string_view id);

struct Case {
    int version = 0;             // TLS1_3_VERSION ...
    std::string cipher;          // OpenSSL's name; TLS 1.3 suites are IANA names
    tls::KeyType key = tls::KeyType::rsa2048;
    std::string group;           // Group::id
    Mode mode = Mode::full;
    bool seclevel0 = false;      // TLS 1.1 and 1.0 need security level 0
    bool encrypt_then_mac = true;  // off: CBC suites MAC, then encrypt (RFC 7366 refused)

    // "tls1.3/TLS_AES_128_GCM_SHA256/rsa-2048/x25519/full"; TLS 1.1 and 1.0
    // read "tls1.1@seclevel0/...", so no one mistakes them for defaults.
    std::string name() const;
    bool resumed() const { return mode != Mode::full; }
};

// A case the library cannot run, kept so that it is reported, not dropped.
struct Skipped {
    std::string name;
    std::string reason;
};


// What the user asked for; an empty list selects everything.
struct Selection {
    std::vector<std::string> protocols;  // "tls1.3", "tls1.2", "tls1.1", "tls1.0"
    std::vector<std::string> ciphers;    // OpenSSL or IANA names
    std::vector<std::string> keys;       // tls::key_type_name
    std::vector<std::string> groups;     // Group::id
    std::vector<std::string> modes;      // mode_name
    bool quick = false;
};

struct Matrix {
    std::vector<Case> cases;
    std::vector<Skipped> skipped;
};

// The choices the running library offers, for selectors and their errors.
struct Choices {
    std::vector<std::string> protocols, ciphers, keys, groups, modes;
};
Choices available_choices();

// Throws Error(kUsage) naming the first selector value the library
// lacks, with the valid choices.
void check_selection(const Selection& selection);

// Every case the selection picks, and the ones the library cannot run.
Matrix build_matrix(const Selection& selection);

// One full-handshake case per suite the library enables (TLS 1.3, then the
// four TLS 1.2 families, in the library's order), with the key and group the
// suite's family takes (ECDSA P-256 or RSA-2048; X25519, ffdhe2048 or RSA key
// transport): for figures that depend on the suite alone, such as bulk data.
// The selection's protocols, ciphers, keys and groups apply; its modes do not.
std::vector<Case> suite_cases(const Selection& selection);

// Whether the suite protects records with CBC and an HMAC (so that
// encrypt-then-MAC applies), by OpenSSL's name.
bool is_cbc_suite(const std::string& cipher);

// The quick set: TLS 1.3 and TLS 1.2 with the suite the library picks by
// default for each key, RSA-2048 and ECDSA P-256, X25519, full and ticket.
std::vector<Case> quick_cases();

}  // namespace sslfeatures::bench
