#include "scan/probe.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include <sys/socket.h>

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "tls/errors.hpp"
#include "tls/net.hpp"
#include "tls/report.hpp"
#include "tls/signature_schemes.hpp"
#include "util/error.hpp"

namespace sslfeatures::scan {
namespace {

// Every TLS 1.2-and-older suite the library has, anonymous and null ones
// included: a scan asks what the server takes, not what is wise.
constexpr const char* kEverySuite = "ALL:COMPLEMENTOFALL:@SECLEVEL=0";

// What the callbacks of one probe saw.
struct ProbeState {
    int client_hellos = 0;       // two: the server sent a HelloRetryRequest
    bool encrypt_then_mac = false;
    int sessions = 0;
    SslSessionPtr session;       // the latest the server handed over
    long ocsp_bytes = -1;
    int alert = -1;              // the description of an alert the server sent
};

int state_index() {
    static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

ProbeState* state_of(const SSL* ssl) { return static_cast<ProbeState*>(SSL_get_ex_data(ssl, state_index())); }

// RFC 8446 4.1.3: a HelloRetryRequest is a ServerHello with this random.
constexpr unsigned char kRetryRandom[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

unsigned be16(const unsigned char* p) { return unsigned{p[0]} << 8 | p[1]; }

// What a ServerHello (or HelloRetryRequest) says. OpenSSL keeps no record a
// client can ask for of some of it (encrypt-then-MAC), and a probe that stops
// at the ServerHello never lets OpenSSL read it at all.
struct ServerHello {
    unsigned version = 0;  // supported_versions when present, else the legacy field
    unsigned char suite[2] = {};
    bool retry = false;
    std::optional<unsigned> group;  // key_share's group (a retry's: the one it asks for)
    std::vector<unsigned> extensions;
    bool has(unsigned type) const { return std::find(extensions.begin(), extensions.end(), type) != extensions.end(); }
};

// `p` is the message body, after its four-byte header; nullopt when malformed.
std::optional<ServerHello> parse_server_hello(const unsigned char* p, size_t len) {
    if (len < 2 + 32 + 1) return std::nullopt;
    ServerHello hello;
    hello.version = be16(p);
    hello.retry = std::memcmp(p + 2, kRetryRandom, sizeof kRetryRandom) == 0;
    size_t at = 2 + 32;
    at += 1 + p[at];  // session id
    if (len < at + 3) return std::nullopt;
    hello.suite[0] = p[at];
    hello.suite[1] = p[at + 1];
    at += 3;          // suite, compression
    if (len < at + 2) return hello;  // no extensions: an old server
    const size_t end = std::min(len, at + 2 + be16(p + at));
    for (at += 2; at + 4 <= end; at += 4 + be16(p + at + 2)) {
        const unsigned type = be16(p + at);
        hello.extensions.push_back(type);
        if (at + 6 > end) continue;
        if (type == 43) hello.version = be16(p + at + 4);  // supported_versions
        if (type == 51) hello.group = be16(p + at + 4);    // key_share
    }
    return hello;
}

void on_message(int write_p, int, int content_type, const void* buf, size_t len, SSL* ssl, void*) {
    ProbeState* state = state_of(ssl);
    if (state == nullptr || content_type != SSL3_RT_HANDSHAKE || len < 4) return;
    const auto* p = static_cast<const unsigned char*>(buf);
    if (write_p != 0 && p[0] == SSL3_MT_CLIENT_HELLO) ++state->client_hellos;
    if (write_p == 0 && p[0] == SSL3_MT_SERVER_HELLO) {
        const std::optional<ServerHello> hello = parse_server_hello(p + 4, len - 4);
        state->encrypt_then_mac = state->encrypt_then_mac || (hello && hello->has(22));
    }
}

void on_info(const SSL* ssl, int where, int ret) {
    ProbeState* state = state_of(ssl);
    if (state != nullptr && (where & SSL_CB_READ_ALERT) != 0) state->alert = ret & 0xff;
}

int on_new_session(SSL* ssl, SSL_SESSION* session) {
    ProbeState* state = state_of(ssl);
    if (state == nullptr) return 0;
    ++state->sessions;
    state->session.reset(session);
    return 1;  // we keep the reference
}

int on_ocsp_status(SSL* ssl, void*) {
    ProbeState* state = state_of(ssl);
    const unsigned char* response = nullptr;
    const long len = SSL_get_tlsext_status_ocsp_resp(ssl, &response);
    if (state != nullptr && response != nullptr && len > 0) state->ocsp_bytes = len;
    return 1;  // a probe only looks; it never refuses over a staple
}

SslCtxPtr make_probe_context() {
    SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
    if (!ctx) throw Error(kFailure, "cannot create a TLS context: " + openssl_error_text());
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);  // the scanner verifies chains itself
    SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx.get(), on_new_session);
    SSL_CTX_set_tlsext_status_cb(ctx.get(), on_ocsp_status);
    SSL_CTX_set_info_callback(ctx.get(), on_info);
    return ctx;
}

std::string alpn_wire(const std::vector<std::string>& protocols) {
    std::string wire;
    for (const std::string& p : protocols) {
        wire += static_cast<char>(p.size());
        wire += p;
    }
    return wire;
}

// TLS 1.3 suites live at code points 0x13xx, and nothing else does.
bool is_tls13_suite(const SSL_CIPHER* c) { return (SSL_CIPHER_get_protocol_id(c) >> 8) == 0x13; }

// Every TLS 1.3 suite the library names, by code point 0x13xx.
std::string library_tls13_suites() {
    static const std::string names = [] {
        SslCtxPtr ctx(SSL_CTX_new(TLS_method()));
        SslPtr ssl(SSL_new(ctx.get()));
        std::string joined;
        for (int low = 0; low < 256; ++low) {
            const std::array<unsigned char, 2> code = {0x13, static_cast<unsigned char>(low)};
            const SSL_CIPHER* c = SSL_CIPHER_find(ssl.get(), code.data());
            if (c == nullptr || !is_tls13_suite(c)) continue;
            const std::string name = SSL_CIPHER_get_name(c);
            if (SSL_set_ciphersuites(ssl.get(), name.c_str()) != 1) continue;  // named but unusable
            joined += (joined.empty() ? "" : ":") + name;
        }
        return joined;
    }();
    return names;
}

// Pins `ssl` to what `spec` offers. False when the library refuses a setting.
bool configure(SSL* ssl, const ProbeSpec& spec, const Target& target) {
    SSL_set_security_level(ssl, 0);
    // A server without RFC 5746 must still be seen, and reported as such.
    SSL_set_options(ssl, SSL_OP_LEGACY_SERVER_CONNECT);
    const int min = spec.version != 0 ? spec.version : 0;
    const int max = spec.version != 0 ? spec.version : spec.max_version;
    if (SSL_set_min_proto_version(ssl, min) != 1 || SSL_set_max_proto_version(ssl, max) != 1) return false;
    if (SSL_set_cipher_list(ssl, spec.cipher_list.empty() ? kEverySuite : spec.cipher_list.c_str()) != 1 &&
        spec.version != TLS1_3_VERSION) {
        return false;
    }
    SSL_set_security_level(ssl, 0);
    const std::string suites = spec.ciphersuites.empty() ? library_tls13_suites() : spec.ciphersuites;
    if (SSL_set_ciphersuites(ssl, suites.c_str()) != 1) return false;
    if (!spec.groups.empty() && SSL_set1_groups_list(ssl, spec.groups.c_str()) != 1) return false;
    if (!spec.sigalgs.empty() && SSL_set1_sigalgs_list(ssl, spec.sigalgs.c_str()) != 1) return false;
    if (!spec.alpn.empty()) {
        const std::string wire = alpn_wire(spec.alpn);
        if (SSL_set_alpn_protos(ssl, reinterpret_cast<const unsigned char*>(wire.data()),
                                static_cast<unsigned>(wire.size())) != 0) {
            return false;
        }
    }
    if (!target.sni.empty()) SSL_set_tlsext_host_name(ssl, target.sni.c_str());
    if (spec.no_ticket) SSL_set_options(ssl, SSL_OP_NO_TICKET);
    if (spec.allow_compression) SSL_clear_options(ssl, SSL_OP_NO_COMPRESSION);
    if (spec.fallback_scsv) SSL_set_mode(ssl, SSL_MODE_SEND_FALLBACK_SCSV);
    if (spec.request_ocsp) SSL_set_tlsext_status_type(ssl, TLSEXT_STATUSTYPE_ocsp);
    if (spec.resume != nullptr) SSL_set_session(ssl, spec.resume);
    SSL_set_msg_callback(ssl, on_message);
    return true;
}

// Runs SSL_connect to its end: true when the handshake completed.
bool drive_handshake(SSL* ssl, int fd, tls::Deadline deadline, bool& timed_out) {
    for (;;) {
        const int rc = SSL_connect(ssl);
        if (rc == 1) return true;
        const int err = SSL_get_error(ssl, rc);
        if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) return false;
        if (!tls::wait_fd(fd, err == SSL_ERROR_WANT_WRITE, deadline)) {
            timed_out = true;
            return false;
        }
    }
}

// TLS 1.3 servers send tickets after the handshake: read until one came and
// the line has been quiet for a moment, or the deadline.
void read_tickets(SSL* ssl, int fd, const ProbeState& state, tls::Deadline deadline) {
    using namespace std::chrono;
    const tls::Deadline quiet_limit{std::min(deadline.at, steady_clock::now() + milliseconds(500)), deadline.option};
    char buf[256];
    for (;;) {
        const int n = SSL_read(ssl, buf, sizeof buf);
        if (n > 0) continue;
        if (SSL_get_error(ssl, n) != SSL_ERROR_WANT_READ) return;
        const tls::Deadline wait = state.sessions > 0
            ? tls::Deadline{std::min(quiet_limit.at, steady_clock::now() + milliseconds(30)), deadline.option}
            : quiet_limit;
        if (!tls::wait_fd(fd, false, wait)) return;
    }
}

std::optional<int> dh_prime_bits(SSL* ssl) {
    EVP_PKEY* key = nullptr;
    if (SSL_get_peer_tmp_key(ssl, &key) != 1 || key == nullptr) return std::nullopt;
    EvpPkeyPtr owned(key);
    if (EVP_PKEY_base_id(key) != EVP_PKEY_DH) return std::nullopt;
    return EVP_PKEY_bits(key);
}

void read_completed(SSL* ssl, ProbeState& state, ProbeResult& r) {
    r.outcome = Outcome::completed;
    r.version = SSL_version(ssl);
    if (const SSL_CIPHER* c = SSL_get_current_cipher(ssl)) {
        r.cipher = SSL_CIPHER_get_name(c);
        if (const char* iana = SSL_CIPHER_standard_name(c)) r.cipher_iana = iana;
    }
    r.group = tls::negotiated_group(ssl);
    if (auto scheme = tls::peer_signature_scheme(ssl)) r.signature = scheme->name();
    r.alpn = tls::selected_alpn(ssl);
#ifndef OPENSSL_NO_COMP
    if (const COMP_METHOD* comp = SSL_get_current_compression(ssl)) r.compression = SSL_COMP_get_name(comp);
#endif
    r.dh_bits = dh_prime_bits(ssl);
    r.resumed = SSL_session_reused(ssl) == 1;
    r.secure_renegotiation = SSL_get_secure_renegotiation_support(ssl) == 1;
    r.extended_master_secret = SSL_get_extms_support(ssl) == 1;
    r.encrypt_then_mac = state.encrypt_then_mac;
    r.hello_retry = state.client_hellos > 1;
    r.ocsp_bytes = state.ocsp_bytes;
    if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl)) {
        for (int i = 0; i < sk_X509_num(chain); ++i) {
            X509* cert = sk_X509_value(chain, i);
            X509_up_ref(cert);
            r.chain.emplace_back(cert);
        }
    }
}

std::string refusal_reason(const ProbeState& state, bool timed_out) {
    if (timed_out) return "no answer within the timeout";
    if (state.alert >= 0) {
        // Older releases name fewer alerts than the registry holds.
        const std::string_view name = SSL_alert_desc_string_long(state.alert);
        if (name == "unknown") return fmt::format("alert {}", state.alert);
        return fmt::format("{} alert", name);
    }
    return tls::first_error_reason("the server closed the connection");
}

// ---- stopping at the ServerHello ----------------------------------------------

std::optional<std::string> group_named(SSL* ssl, unsigned id) {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    // SSL_group_to_name takes OpenSSL's NID for a group, or a wire id marked
    // as unknown, which it looks up by that id.
    if (const char* name = SSL_group_to_name(ssl, static_cast<int>(TLSEXT_nid_unknown | id))) return std::string(name);
#else
    (void)ssl;
    (void)id;
#endif
    return std::nullopt;
}

// A probe that stopped at the ServerHello: what the server chose.
void read_choice(SSL* ssl, const ServerHello& hello, ProbeResult& r) {
    r.outcome = Outcome::completed;
    r.version = static_cast<int>(hello.version);
    r.hello_retry = hello.retry;
    if (const SSL_CIPHER* c = SSL_CIPHER_find(ssl, hello.suite)) {
        r.cipher = SSL_CIPHER_get_name(c);
        if (const char* iana = SSL_CIPHER_standard_name(c)) r.cipher_iana = iana;
    }
    if (hello.group) r.group = group_named(ssl, *hello.group);
}

// Sends the ClientHello through OpenSSL, then reads the server's first
// answer itself: OpenSSL never sees it, so nothing of the key exchange is
// computed on this side.
void answer_to_hello(SSL* ssl, int fd, tls::Deadline deadline, ProbeResult& r) {
    r.outcome = Outcome::refused;
    std::string wire, handshake;
    for (;;) {
        while (wire.size() >= 5) {
            const auto* h = reinterpret_cast<const unsigned char*>(wire.data());
            const unsigned type = h[0];
            const size_t len = be16(h + 3);
            if (type < 20 || type > 23) {
                r.reason = kNotTlsReason;
                return;
            }
            if (wire.size() < 5 + len) break;
            const std::string payload = wire.substr(5, len);
            wire.erase(0, 5 + len);
            if (type == SSL3_RT_ALERT && payload.size() >= 2) {
                r.alert = static_cast<unsigned char>(payload[1]);
                const std::string_view name = SSL_alert_desc_string_long(r.alert);
                r.reason = name == "unknown" ? fmt::format("alert {}", r.alert) : fmt::format("{} alert", name);
                return;
            }
            if (type != SSL3_RT_HANDSHAKE) continue;
            handshake += payload;
            const auto* m = reinterpret_cast<const unsigned char*>(handshake.data());
            if (handshake.size() < 4) continue;
            const size_t body = size_t{m[1]} << 16 | size_t{m[2]} << 8 | m[3];
            if (handshake.size() < 4 + body) continue;
            const std::optional<ServerHello> hello =
                m[0] == SSL3_MT_SERVER_HELLO ? parse_server_hello(m + 4, body) : std::nullopt;
            if (hello) read_choice(ssl, *hello, r);
            else r.reason = "the server's first answer is not a ServerHello";
            return;
        }
        char buf[4096];
        const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) {
            wire.append(buf, static_cast<size_t>(n));
        } else if (n == 0) {
            r.reason = "the server closed the connection";
            return;
        } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            r.reason = fmt::format("the connection failed: {}", std::strerror(errno));
            return;
        } else if (!tls::wait_fd(fd, false, deadline)) {
            r.reason = "no answer within the timeout";
            return;
        }
    }
}

void put_be16(std::string& bytes, size_t at, size_t value) {
    bytes[at] = static_cast<char>(value >> 8);
    bytes[at + 1] = static_cast<char>(value & 0xff);
}

// The ClientHello record OpenSSL wrote, with its key_share extension's list of
// shares emptied and every enclosing length shortened to match. Unchanged
// when it is not one record holding one ClientHello with a key_share.
std::string without_key_shares(std::string hello) {
    const auto* p = reinterpret_cast<const unsigned char*>(hello.data());
    if (hello.size() < 5 + 4 + 2 + 32 + 1 || p[0] != SSL3_RT_HANDSHAKE || p[5] != SSL3_MT_CLIENT_HELLO) return hello;
    size_t at = 5 + 4 + 2 + 32;
    at += 1 + p[at];                       // session id
    if (hello.size() < at + 2) return hello;
    at += 2 + be16(p + at);                // cipher suites
    if (hello.size() < at + 1) return hello;
    at += 1 + p[at];                       // compression methods
    if (hello.size() < at + 2) return hello;
    const size_t extensions_at = at;
    for (at += 2; at + 4 <= hello.size(); at += 4 + be16(p + at + 2)) {
        if (be16(p + at) != 51) continue;
        const size_t removed = be16(p + at + 2) - 2;  // all but the list's own length
        hello.erase(at + 4 + 2, removed);
        put_be16(hello, at + 2, 2);
        put_be16(hello, at + 4, 0);
        put_be16(hello, extensions_at, be16(p + extensions_at) - removed);
        const size_t body = (size_t{p[6]} << 16 | size_t{p[7]} << 8 | p[8]) - removed;
        hello[6] = static_cast<char>(body >> 16);
        hello[7] = static_cast<char>(body >> 8);
        hello[8] = static_cast<char>(body);
        put_be16(hello, 3, be16(p + 3) - removed);
        return hello;
    }
    return hello;
}

bool write_all(int fd, std::string_view bytes, tls::Deadline deadline) {
    while (!bytes.empty()) {
        const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n > 0) {
            bytes.remove_prefix(static_cast<size_t>(n));
        } else if ((errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) || !tls::wait_fd(fd, true, deadline)) {
            return false;
        }
    }
    return true;
}

// OpenSSL writes its ClientHello into memory; the probe sends it, rewritten
// or not, and OpenSSL never sees an answer.
bool send_client_hello(SSL* ssl, int fd, bool empty_key_share, tls::Deadline deadline) {
    BIO* in = BIO_new(BIO_s_mem());
    BIO* out = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(in, -1);
    SSL_set_bio(ssl, in, out);
    if (SSL_get_error(ssl, SSL_connect(ssl)) != SSL_ERROR_WANT_READ) return false;
    char* data = nullptr;
    const long len = BIO_get_mem_data(out, &data);
    std::string hello(data, static_cast<size_t>(std::max(len, 0L)));
    if (empty_key_share) hello = without_key_shares(std::move(hello));
    return write_all(fd, hello, deadline);
}

}  // namespace

Prober::Prober(Target target, std::chrono::milliseconds timeout)
    : target_(std::move(target)), timeout_(timeout), ctx_(make_probe_context()) {}

ProbeResult Prober::run(const ProbeSpec& spec) const {
    ProbeResult r;
    SslPtr ssl(SSL_new(ctx_.get()));
    ProbeState state;
    if (!ssl || SSL_set_ex_data(ssl.get(), state_index(), &state) != 1) {
        throw Error(kFailure, "cannot create a TLS connection: " + openssl_error_text());
    }
    if (!configure(ssl.get(), spec, target_)) {
        ERR_clear_error();
        r.outcome = Outcome::refused;
        r.reason = "the library here cannot offer this";
        return r;
    }
    const tls::Deadline deadline = tls::deadline_after(timeout_, "--timeout");
    // A server that cannot be reached ends the scan: the caller sees the Error.
    tls::Socket socket = tls::connect_tcp(target_.host, target_.port, deadline);
    if (spec.hello_only) {
        if (send_client_hello(ssl.get(), socket.fd(), spec.empty_key_share, deadline)) {
            answer_to_hello(ssl.get(), socket.fd(), deadline, r);
        } else {
            r.outcome = Outcome::refused;
            r.reason = tls::first_error_reason("the ClientHello could not be sent");
        }
        ERR_clear_error();
        SSL_set_ex_data(ssl.get(), state_index(), nullptr);
        return r;
    }
    SSL_set_fd(ssl.get(), socket.fd());
    bool timed_out = false;
    if (drive_handshake(ssl.get(), socket.fd(), deadline, timed_out)) {
        if (spec.wait_for_tickets && SSL_version(ssl.get()) == TLS1_3_VERSION) {
            read_tickets(ssl.get(), socket.fd(), state, deadline);
        }
        read_completed(ssl.get(), state, r);
        r.tickets = state.sessions;
        if (r.version != TLS1_3_VERSION && state.session) {
            r.tickets = SSL_SESSION_has_ticket(state.session.get()) == 1 ? 1 : 0;
        }
        r.session = std::move(state.session);
        SSL_shutdown(ssl.get());
    } else {
        r.outcome = Outcome::refused;
        r.reason = refusal_reason(state, timed_out);
        r.alert = state.alert;
    }
    ERR_clear_error();
    SSL_set_ex_data(ssl.get(), state_index(), nullptr);
    return r;
}

namespace {

SslPtr scratch_connection() {
    static const SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
    SslPtr ssl(SSL_new(ctx.get()));
    SSL_set_security_level(ssl.get(), 0);
    return ssl;
}

}  // namespace

bool library_offers_version(int version) {
    const SslPtr ssl = scratch_connection();
    if (SSL_set_min_proto_version(ssl.get(), version) != 1 || SSL_set_max_proto_version(ssl.get(), version) != 1) {
        ERR_clear_error();
        return false;
    }
    return !library_suites(version).empty();
}

bool library_takes_groups(const std::string& groups) {
    const SslPtr ssl = scratch_connection();
    const bool ok = SSL_set1_groups_list(ssl.get(), groups.c_str()) == 1;
    ERR_clear_error();
    return ok;
}

bool library_takes_sigalgs(const std::string& sigalgs) {
    const SslPtr ssl = scratch_connection();
    const bool ok = SSL_set1_sigalgs_list(ssl.get(), sigalgs.c_str()) == 1;
    ERR_clear_error();
    return ok;
}

std::vector<Suite> library_suites(int version) {
    const SslPtr ssl = scratch_connection();
    std::vector<Suite> suites;
    if (SSL_set_min_proto_version(ssl.get(), version) != 1 || SSL_set_max_proto_version(ssl.get(), version) != 1 ||
        SSL_set_cipher_list(ssl.get(), kEverySuite) != 1 ||
        SSL_set_ciphersuites(ssl.get(), library_tls13_suites().c_str()) != 1) {
        ERR_clear_error();
        return suites;
    }
    SSL_set_security_level(ssl.get(), 0);
    const CipherStackPtr supported(SSL_get1_supported_ciphers(ssl.get()));
    for (int i = 0; supported && i < sk_SSL_CIPHER_num(supported.get()); ++i) {
        const SSL_CIPHER* c = sk_SSL_CIPHER_value(supported.get(), i);
        const bool tls13 = is_tls13_suite(c);
        if (tls13 != (version == TLS1_3_VERSION)) continue;
        const char* iana = SSL_CIPHER_standard_name(c);
        suites.push_back({SSL_CIPHER_get_name(c), iana != nullptr ? iana : ""});
    }
    ERR_clear_error();
    return suites;
}

}  // namespace sslfeatures::scan
