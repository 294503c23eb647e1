// A snapshot: everything a later comparison of two OpenSSL installations needs,
// as plain data. take_snapshot() reads it off the running library;
// snapshot_json.hpp writes and reads it (README, "Snapshots and diffs").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "reflect/catalogue.hpp"
#include "reflect/configuration.hpp"

namespace sslfeatures::audit {

// The snapshot document's version (README, "Snapshots and diffs"). 2 names
// signature schemes by the IANA registry, "ecdsa_secp256r1_sha256 (0x0403)",
// and records the defaults' host name checks. Version 1, which named schemes
// with OpenSSL's object names, is still read: its names are replaced by the
// registry's for their code points as it is read.
// 3 adds what an upgrade audit attributes and explains: how the library was
// built, the ClientHello's size and contents in the defaults, whether each
// cipher is usable and enabled, and the certificate acceptance probes. A
// version 2 document is read as it is: on its side those facts are unknown.
inline constexpr int kSnapshotSchemaVersion = 3;

// One `library` row of the features table: headers_version, providers ...
struct LibraryFact {
    std::string name;
    std::string text;
};

struct NamedValue {
    std::string name;
    reflect::Value value;
    friend bool operator==(const NamedValue&, const NamedValue&) = default;
};

struct ConstantCategory {
    std::string id;     // "options", "verify_flags" ... as in tables/categories.toml
    std::string title;  // "options (SSL_OP_*)"
    std::vector<NamedValue> constants;  // sorted by value, then name, as the table
};

struct Feature {
    std::string name;  // HAS_*
    bool available = false;
    std::string source;  // "build" or "runtime"
};

// A cipher the library knows, whether or not anything enables it.
struct Cipher {
    std::uint32_t id = 0;      // the two-byte TLS code point (SSL3 ciphers: 0x03000000 dropped)
    std::string name;          // OpenSSL's name, "ECDHE-RSA-AES128-GCM-SHA256"
    std::string iana_name;     // the RFC/IANA name, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
    std::string protocol;      // the oldest version that defines it, "TLSv1.2"
    std::string kx, auth, enc, mac;  // as `openssl ciphers -v` prints them
    int bits = 0;
    bool aead = false;
    // Whether a context can enable it at all (security level 0, every other
    // cipher excluded): a cipher the library names but cannot use, because
    // its algorithm was left out of the build or its provider, is known but
    // not usable. Unknown in snapshots before version 3.
    std::optional<bool> usable;
};

// The ciphers one protocol version enables out of the box, at the library's
// default security level and configuration, in preference order.
struct ProtocolCiphers {
    std::string protocol;  // "TLSv1.2"
    std::vector<std::string> ciphers;
};

// Whether a protocol version completes a handshake between two contexts made
// with the library's defaults, pinned to that version, once per key type.
struct ProtocolResult {
    std::string protocol;  // "TLSv1.1"
    int version = 0;
    struct Attempt {
        std::string key;     // "rsa-2048", "ecdsa-p256"
        bool ok = false;
        std::string detail;  // the negotiated cipher, or OpenSSL's reason
    };
    std::vector<Attempt> attempts;
    bool works() const;
};

// Whether clients accept one kind of server certificate (certificate_probe.hpp).
struct CertificateProbe {
    std::string id;           // "rsa-2048-sha1"
    std::string description;  // "RSA-2048 leaf signed with SHA-1"
    struct Verdict {
        std::string side;  // "library_default", "client"
        bool accepted = false;
        std::string detail;  // "accepted", or the verify error
    };
    std::vector<Verdict> verdicts;
};

// How the library was built, in facts that are the same on every machine
// with that build: the macros its compiler flags define
// ("OPENSSL_TLS_SECURITY_LEVEL=2") and its target platform. The diff reads
// them to say whether a change comes from the build or from the release.
struct BuildInfo {
    std::vector<std::string> defines;
    std::string platform;
};

// One benchmark case of the quick set: a handshake rate (handshakes per
// second) or, for the bulk cases, the pair's throughput (MB per second).
struct BenchCase {
    std::string id;  // stable case name
    double handshakes_per_second = 0;  // median over the repetitions; MB/s for bulk cases
    double cv = 0;                     // coefficient of variation of the rate
    int repetitions = 0;
};

// The bytes OpenSSL holds for one connection of a quick-set case after its
// handshake, counted exactly (bench/memory.hpp), per side; and with
// SSL_MODE_RELEASE_BUFFERS after a 16 KiB exchange.
struct MemoryCase {
    std::string id;  // "tls1.3/TLS_AES_256_GCM_SHA384/ecdsa-p256/x25519/full"
    std::int64_t client = 0;
    std::int64_t server = 0;
    std::int64_t client_released = 0;
    std::int64_t server_released = 0;
};

struct Snapshot {
    int schema_version = kSnapshotSchemaVersion;  // of the document it was read from
    std::string tool_version;
    std::string created;  // UTC, ISO 8601
    std::vector<LibraryFact> library;
    std::vector<ConstantCategory> constants;
    std::vector<Feature> features;
    // The `client`, `server` and `library_default` parts of `sslfeatures
    // defaults --format json`, kept as JSON: the defaults document owns them.
    nlohmann::ordered_json defaults = nlohmann::ordered_json::object();
    std::vector<Cipher> ciphers;
    std::vector<ProtocolCiphers> protocol_ciphers;
    std::vector<std::string> groups;
    std::vector<std::string> signature_algorithms;  // "name (0xCODE)", the library default's ClientHello order
    std::vector<ProtocolResult> protocols;
    std::optional<std::vector<BenchCase>> bench;
    std::optional<std::vector<MemoryCase>> memory;  // with bench: `snapshot --with-bench`
    std::optional<std::vector<BenchCase>> throughput;  // the quick bulk cases, MB/s
    // The configuration the library ran under and the providers it loaded;
    // absent in snapshots made before it was recorded.
    std::optional<reflect::Configuration> configuration;
    // Absent in snapshots before version 3.
    std::optional<BuildInfo> build;
    std::optional<std::vector<CertificateProbe>> certificates;
};

// Library facts that describe the machine or the build of the library rather
// than what it does (paths, compiler flags, build date, platform).
bool is_machine_fact(std::string_view name);

// Leaves the machine facts out, so the snapshot is the same on every machine
// with this library and names no local paths (the reference tables).
void drop_machine_facts(Snapshot& snapshot);

// The -D macros of a compiler command line ("-DOPENSSL_TLS_SECURITY_LEVEL=2"
// gives "OPENSSL_TLS_SECURITY_LEVEL=2"), in their order, each once.
std::vector<std::string> compiler_defines(std::string_view flags);

// Reads everything but `bench` off the running library. Making the probe
// certificates and running the handshakes takes a fraction of a second.
Snapshot take_snapshot();

}  // namespace sslfeatures::audit
