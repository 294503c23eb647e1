// HAS_* flags. "build" flags read the configuration the headers were generated
// with (OPENSSL_NO_* and friends), exactly as Python's _ssl module does for the
// names it shares with us. "runtime" flags ask the running library, because
// what it can do also depends on providers and on how it was loaded.
#include "reflect/availability.hpp"

#include <cctype>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "reflect/groups.hpp"
#include "reflect/openssl_headers.hpp"
#include "util/ossl_ptr.hpp"

#if OPENSSL_VERSION_NUMBER >= 0x30000000L
#include <openssl/evp.h>
#include <openssl/core.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#endif
#if OPENSSL_VERSION_NUMBER >= 0x30200000L && !defined(OPENSSL_NO_COMP)
#include <openssl/comp.h>
#endif

namespace sslfeatures::reflect {
namespace {

// What runtime probes ask the running library, gathered once on first use.
class ProbeContext {
  public:
    // True when the running library offers this TLS key-exchange group.
    bool has_group(std::string_view name) {
        if (!groups_) groups_ = load_groups();
        return groups_->count(lower(name)) != 0;
    }

  private:
    static std::string lower(std::string_view s) {
        std::string out(s);
        for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return out;
    }

    static std::set<std::string> load_groups() {
        std::set<std::string> names;
        for (const auto& name : tls_group_names()) names.insert(lower(name));
        return names;
    }

    std::optional<std::set<std::string>> groups_;
};

// Used only by the 3.0+ branch below.
[[maybe_unused]] bool file_exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// True when the provider module NAME is installed where the library looks for
// modules (OPENSSL_MODULES, else its compiled-in directory) or already loaded.
bool provider_installed([[maybe_unused]] const char* name) {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    if (OSSL_PROVIDER_available(nullptr, name) == 1) return true;
    const char* env = std::getenv("OPENSSL_MODULES");
    const char* dir = env != nullptr ? env : OPENSSL_info(OPENSSL_INFO_MODULES_DIR);
    const char* ext = OPENSSL_info(OPENSSL_INFO_DSO_EXTENSION);
    if (dir == nullptr) return false;
    return file_exists(std::string(dir) + "/" + name + (ext != nullptr ? ext : ".so"));
#else
    return false;
#endif
}

// Certificate compression (3.2+) needs at least one of libssl's compressors.
bool has_cert_compression(ProbeContext&) {
#if OPENSSL_VERSION_NUMBER >= 0x30200000L && !defined(OPENSSL_NO_COMP_ALG) && !defined(OPENSSL_NO_COMP)
    return COMP_zlib() != nullptr || COMP_brotli() != nullptr || COMP_zstd() != nullptr;
#else
    return false;
#endif
}

struct Probe {
    const char* name;
    const char* source;  // "build" or "runtime"
    const char* description;
    bool (*available)(ProbeContext&);
};

#if defined(OPENSSL_NO_TLS1_3) || !defined(TLS1_3_VERSION)
constexpr bool kTls13 = false;
#else
constexpr bool kTls13 = true;
#endif

// Each build-time answer is a constant; the lambda just hands it over.
#define SF_FROM_BUILD(expr) [](ProbeContext&) { return static_cast<bool>(expr); }

// `defined` only works in #if, so each build-time answer becomes a 0/1 macro.
#if defined(SSL_CTRL_SET_TLSEXT_HOSTNAME)
#define SF_SNI 1
#else
#define SF_SNI 0
#endif
#if defined(TLSEXT_TYPE_application_layer_protocol_negotiation)
#define SF_ALPN 1
#else
#define SF_ALPN 0
#endif
#if defined(X509_CHECK_FLAG_NEVER_CHECK_SUBJECT)
#define SF_NEVER_CHECK_CN 1
#else
#define SF_NEVER_CHECK_CN 0
#endif
#if defined(OPENSSL_NO_NEXTPROTONEG)
#define SF_NPN 0
#else
#define SF_NPN 1
#endif
#if defined(OPENSSL_NO_ECDH)
#define SF_ECDH 0
#else
#define SF_ECDH 1
#endif
#if OPENSSL_VERSION_NUMBER < 0x10100000L && !defined(OPENSSL_NO_SSL2)
#define SF_SSL2 1
#else
#define SF_SSL2 0
#endif
// 4.0 removed SSL 3.0, and with it the OPENSSL_NO_SSL3 that said it was out.
#if defined(OPENSSL_NO_SSL3) || OPENSSL_VERSION_NUMBER >= 0x40000000L
#define SF_SSL3 0
#else
#define SF_SSL3 1
#endif
#if defined(OPENSSL_NO_TLS1)
#define SF_TLS1 0
#else
#define SF_TLS1 1
#endif
#if defined(OPENSSL_NO_TLS1_1)
#define SF_TLS1_1 0
#else
#define SF_TLS1_1 1
#endif
#if defined(OPENSSL_NO_TLS1_2)
#define SF_TLS1_2 0
#else
#define SF_TLS1_2 1
#endif
#if defined(OPENSSL_NO_DTLS1)
#define SF_DTLS1 0
#else
#define SF_DTLS1 1
#endif
#if defined(OPENSSL_NO_DTLS1_2)
#define SF_DTLS1_2 0
#else
#define SF_DTLS1_2 1
#endif
#if defined(OPENSSL_NO_PSK)
#define SF_PSK 0
#else
#define SF_PSK 1
#endif
#if defined(SSL_OP_ENABLE_KTLS) && !defined(OPENSSL_NO_KTLS)
#define SF_KTLS 1
#else
#define SF_KTLS 0
#endif
#if OPENSSL_VERSION_NUMBER >= 0x30200000L && !defined(OPENSSL_NO_QUIC)
#define SF_QUIC 1
#else
#define SF_QUIC 0
#endif
#if OPENSSL_VERSION_NUMBER >= 0x30500000L && !defined(OPENSSL_NO_QUIC)
#define SF_QUIC_SERVER 1
#else
#define SF_QUIC_SERVER 0
#endif
#if defined(__has_include)
#if __has_include(<openssl/ech.h>) && !defined(OPENSSL_NO_ECH)
#define SF_ECH 1
#endif
#endif
#if !defined(SF_ECH)
#define SF_ECH 0
#endif
#if defined(TLSEXT_cert_type_rpk)
#define SF_RPK 1
#else
#define SF_RPK 0
#endif
#if defined(SSL_EARLY_DATA_ACCEPTED)
#define SF_EARLY_DATA 1
#else
#define SF_EARLY_DATA 0
#endif
#if defined(OPENSSL_NO_OCSP)
#define SF_OCSP 0
#else
#define SF_OCSP 1
#endif
#if defined(OPENSSL_NO_CT)
#define SF_CT 0
#else
#define SF_CT 1
#endif
#if defined(OPENSSL_NO_SRP)
#define SF_SRP 0
#else
#define SF_SRP 1
#endif
#if defined(OPENSSL_NO_COMP)
#define SF_COMP 0
#else
#define SF_COMP 1
#endif
#if defined(OPENSSL_NO_ENGINE)
#define SF_ENGINE 0
#else
#define SF_ENGINE 1
#endif
#if defined(OPENSSL_NO_SCTP)
#define SF_SCTP 0
#else
#define SF_SCTP 1
#endif
#if defined(OPENSSL_NO_CHACHA) || defined(OPENSSL_NO_POLY1305)
#define SF_CHACHA 0
#else
#define SF_CHACHA 1
#endif

const Probe kProbes[] = {
    // The names Python's ssl module has, with its meaning.
    {"HAS_SNI", "build", "server name indication (RFC 6066) can be sent and read",
     SF_FROM_BUILD(SF_SNI)},
    {"HAS_ALPN", "build", "application-layer protocol negotiation (RFC 7301)",
     SF_FROM_BUILD(SF_ALPN)},
    {"HAS_NPN", "build", "next protocol negotiation, ALPN's predecessor (Python 3.10+ says 0 whatever OpenSSL has)",
     SF_FROM_BUILD(SF_NPN)},
    {"HAS_ECDH", "build", "elliptic-curve Diffie-Hellman key exchange", SF_FROM_BUILD(SF_ECDH)},
    {"HAS_SSLv2", "build", "SSL 2.0 (removed in OpenSSL 1.1.0)", SF_FROM_BUILD(SF_SSL2)},
    {"HAS_SSLv3", "build", "SSL 3.0 compiled in", SF_FROM_BUILD(SF_SSL3)},
    {"HAS_TLSv1", "build", "TLS 1.0 compiled in (the security level may still refuse it)",
     SF_FROM_BUILD(SF_TLS1)},
    {"HAS_TLSv1_1", "build", "TLS 1.1 compiled in (the security level may still refuse it)",
     SF_FROM_BUILD(SF_TLS1_1)},
    {"HAS_TLSv1_2", "build", "TLS 1.2 compiled in", SF_FROM_BUILD(SF_TLS1_2)},
    {"HAS_TLSv1_3", "build", "TLS 1.3 compiled in", SF_FROM_BUILD(kTls13)},
    {"HAS_NEVER_CHECK_COMMON_NAME", "build",
     "host name checks can ignore the subject common name (X509_CHECK_FLAG_NEVER_CHECK_SUBJECT)",
     SF_FROM_BUILD(SF_NEVER_CHECK_CN)},
    {"HAS_PSK", "build", "pre-shared-key cipher suites and TLS 1.3 external PSKs", SF_FROM_BUILD(SF_PSK)},
    {"HAS_PHA", "build", "TLS 1.3 post-handshake client authentication", SF_FROM_BUILD(kTls13)},

    // What OpenSSL users ask about beyond Python's list.
    {"HAS_DTLSv1", "build", "DTLS 1.0 compiled in", SF_FROM_BUILD(SF_DTLS1)},
    {"HAS_DTLSv1_2", "build", "DTLS 1.2 compiled in", SF_FROM_BUILD(SF_DTLS1_2)},
    {"HAS_EARLY_DATA", "build", "TLS 1.3 0-RTT early data",
     SF_FROM_BUILD(SF_EARLY_DATA && kTls13)},
    {"HAS_KTLS", "build", "kernel TLS offload (SSL_OP_ENABLE_KTLS; the kernel must offer it too)",
     SF_FROM_BUILD(SF_KTLS)},
    {"HAS_QUIC", "build", "QUIC client (OpenSSL 3.2 and later)", SF_FROM_BUILD(SF_QUIC)},
    {"HAS_QUIC_SERVER", "build", "QUIC server (OpenSSL 3.5 and later)", SF_FROM_BUILD(SF_QUIC_SERVER)},
    {"HAS_ECH", "build", "encrypted client hello", SF_FROM_BUILD(SF_ECH)},
    {"HAS_RAW_PUBLIC_KEYS", "build", "raw public keys instead of certificates (RFC 7250)",
     SF_FROM_BUILD(SF_RPK)},
    {"HAS_OCSP", "build", "OCSP and OCSP stapling", SF_FROM_BUILD(SF_OCSP)},
    {"HAS_CT", "build", "certificate transparency (SCT validation)", SF_FROM_BUILD(SF_CT)},
    {"HAS_SRP", "build", "secure remote password cipher suites", SF_FROM_BUILD(SF_SRP)},
    {"HAS_COMPRESSION", "build", "TLS record compression compiled in (off unless asked for)",
     SF_FROM_BUILD(SF_COMP)},
    {"HAS_ENGINE", "build", "the deprecated ENGINE interface", SF_FROM_BUILD(SF_ENGINE)},
    {"HAS_SCTP", "build", "DTLS over SCTP", SF_FROM_BUILD(SF_SCTP)},
    {"HAS_CHACHA20_POLY1305", "build", "ChaCha20-Poly1305 cipher suites", SF_FROM_BUILD(SF_CHACHA)},
    {"HAS_CERT_COMPRESSION", "runtime",
     "certificate compression (RFC 8879) with zlib, brotli or zstd", has_cert_compression},
    {"HAS_X25519", "runtime", "the X25519 key-exchange group",
     [](ProbeContext& p) { return p.has_group("X25519"); }},
    {"HAS_X448", "runtime", "the X448 key-exchange group",
     [](ProbeContext& p) { return p.has_group("X448"); }},
    {"HAS_FFDHE", "runtime", "finite-field DH groups (RFC 7919) in the supported-groups list",
     [](ProbeContext& p) { return p.has_group("ffdhe2048"); }},
    {"HAS_MLKEM", "runtime",
     "post-quantum ML-KEM key exchange (X25519MLKEM768, SecP256r1MLKEM768, MLKEM768 ...)",
     [](ProbeContext& p) {
         for (const char* g : {"X25519MLKEM768", "SecP256r1MLKEM768", "SecP384r1MLKEM1024",
                               "MLKEM512", "MLKEM768", "MLKEM1024"}) {
             if (p.has_group(g)) return true;
         }
         return false;
     }},
    {"HAS_FIPS_PROVIDER", "runtime", "the FIPS provider is installed or loaded",
     [](ProbeContext&) { return provider_installed("fips"); }},
    {"HAS_LEGACY_PROVIDER", "runtime",
     "the legacy provider (RC4, DES, MD4 ... in OpenSSL 3) is installed or loaded",
     [](ProbeContext&) { return provider_installed("legacy"); }},
};

}  // namespace

std::vector<Row> feature_availability() {
    ProbeContext probe;
    std::vector<Row> rows;
    rows.reserve(std::size(kProbes));
    for (const Probe& p : kProbes) {
        rows.push_back(Row{.name = p.name,
                           .value = Value::of_bool(p.available(probe)),
                           .text = {},
                           .source = p.source,
                           .description = p.description});
    }
    return rows;
}

}  // namespace sslfeatures::reflect
