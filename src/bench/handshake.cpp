#include "bench/handshake.hpp"

#include <array>
#include <map>
#include <mutex>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <fmt/format.h>
#include <openssl/dh.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include "cli/exit_codes.hpp"
#include "reflect/groups.hpp"
#include "tls/versions.hpp"
#include "tls/errors.hpp"

namespace sslfeatures::bench {
namespace {

constexpr const char* kHost = "localhost";
// A handshake takes four or five turns; this many means it is stuck.
constexpr int kMaxTurns = 64;

[[noreturn]] void fail(const std::string& what) {
    throw cli::Error(cli::kFailure, fmt::format("bench: cannot {}: {}", what, tls::openssl_error_text()));
}

double thread_cpu_ns() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

std::string key_name(EVP_PKEY* key) {
    if (key == nullptr) return "";
    const int bits = EVP_PKEY_bits(key);
    switch (EVP_PKEY_base_id(key)) {
        case EVP_PKEY_RSA: return fmt::format("rsa-{}", bits);
        case EVP_PKEY_EC: return fmt::format("ecdsa-p{}", bits);
        case EVP_PKEY_ED25519: return "ed25519";
        default: return fmt::format("key type {}", EVP_PKEY_base_id(key));
    }
}

// The group from the server's ephemeral key, as the client saw it.
std::string group_from_peer_key(SSL* client) {
    EVP_PKEY* raw = nullptr;
    if (SSL_get_peer_tmp_key(client, &raw) != 1 || raw == nullptr) return "";
    tls::EvpPkeyPtr key(raw);
    switch (EVP_PKEY_base_id(key.get())) {
        case EVP_PKEY_X25519: return "x25519";
        case EVP_PKEY_DH: return fmt::format("ffdhe{}", EVP_PKEY_bits(key.get()));
        case EVP_PKEY_EC: return fmt::format("p-{}", EVP_PKEY_bits(key.get()));
        default: return fmt::format("key type {}", EVP_PKEY_base_id(key.get()));
    }
}

std::string negotiated_group(SSL* client) {
    const SSL_CIPHER* cipher = SSL_get_current_cipher(client);
    if (cipher != nullptr && SSL_CIPHER_get_kx_nid(cipher) == NID_kx_rsa) return "rsa";
#if OPENSSL_VERSION_NUMBER >= 0x30200000L
    // Hybrid groups have no single ephemeral key type; ask for the name.
    if (const char* name = SSL_get0_group_name(client); name != nullptr) {
        for (const Group& g : all_groups()) {
            if (strcasecmp(name, std::string(g.tls_name).c_str()) == 0) return std::string(g.id);
        }
    }
#endif
    return group_from_peer_key(client);
}

// The server's certificate as the client received it.
std::string peer_key_name(SSL* client) {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    X509* cert = SSL_get0_peer_certificate(client);
    return cert != nullptr ? key_name(X509_get0_pubkey(cert)) : "";
#else
    tls::X509Ptr cert(SSL_get_peer_certificate(client));
    return cert ? key_name(X509_get0_pubkey(cert.get())) : "";
#endif
}

void set_ffdhe2048(SSL_CTX* ctx) {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    tls::EvpPkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_name(nullptr, "DH", nullptr));
    EVP_PKEY* params = nullptr;
    if (!pctx || EVP_PKEY_paramgen_init(pctx.get()) != 1 ||
        EVP_PKEY_CTX_set_group_name(pctx.get(), "ffdhe2048") != 1 ||
        EVP_PKEY_paramgen(pctx.get(), &params) != 1) {
        fail("make ffdhe2048 parameters");
    }
    if (SSL_CTX_set0_tmp_dh_pkey(ctx, params) != 1) {
        EVP_PKEY_free(params);
        fail("set ffdhe2048 parameters");
    }
#else
    std::unique_ptr<DH, tls::FreeWith<&DH_free>> dh(DH_new_by_nid(NID_ffdhe2048));
    if (!dh || SSL_CTX_set_tmp_dh(ctx, dh.get()) != 1) fail("set ffdhe2048 parameters");
#endif
}

// Before TLS 1.3 a client must list the curve of an ECDSA certificate among
// its groups, or the server may not use it; the server's list alone (the
// case's group) then decides the key exchange.
// Before TLS 1.3, DHE takes its group from the server's parameters, not from
// group lists (OpenSSL 1.1.1 does not even name ffdhe groups there).
std::string group_list(const Case& c, bool server) {
    if (c.group == "ffdhe2048" && c.version != TLS1_3_VERSION) return "";
    const Group* group = find_group(c.group);
    std::string list = group != nullptr ? std::string(group->openssl) : "";
    if (server || c.version == TLS1_3_VERSION || list.empty()) return list;
    if (c.key == tls::KeyType::ecdsa_p256 && c.group != "p-256") list += ":P-256";
    if (c.key == tls::KeyType::ecdsa_p384 && c.group != "p-384") list += ":P-384";
    return list;
}

// What both sides share: exactly this version, suite and group.
void pin(SSL_CTX* ctx, const Case& c, bool server) {
    if (c.seclevel0) SSL_CTX_set_security_level(ctx, 0);
    if (SSL_CTX_set_min_proto_version(ctx, c.version) != 1 ||
        SSL_CTX_set_max_proto_version(ctx, c.version) != 1) {
        fail(fmt::format("pin {}", protocol_id(c.version)));
    }
    const bool tls13 = c.version == TLS1_3_VERSION;
    if (tls13 ? SSL_CTX_set_ciphersuites(ctx, c.cipher.c_str()) != 1
              : SSL_CTX_set_cipher_list(ctx, c.cipher.c_str()) != 1) {
        fail(fmt::format("select the suite {}", c.cipher));
    }
    const std::string groups = group_list(c, server);
    if (!groups.empty() && SSL_CTX_set1_groups_list(ctx, groups.c_str()) != 1) {
        fail(fmt::format("select the group {}", c.group));
    }
}

// Resumption by session ID must not quietly use a ticket, and resumption by
// ticket must not quietly use the server's cache: each mode turns the other
// off. Full handshakes need no cache either; with one, every handshake adds a
// session until the cache fills (20480) and the rate sinks as it grows.
void set_resumption(SSL_CTX* ctx, Mode mode, bool server) {
    if (mode == Mode::session_id) SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    if (mode != Mode::session_id && server) SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    if (server) {
        static constexpr unsigned char kContext[] = "sslfeatures-bench";
        SSL_CTX_set_session_id_context(ctx, kContext, sizeof kContext - 1);
    }
}

tls::SslCtxPtr server_context(const Case& c) {
    tls::SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
    if (!ctx) fail("create a server context");
    pin(ctx.get(), c, true);
    set_resumption(ctx.get(), c.mode, true);
    const tls::Issued& leaf = bench_leaf(c.key);
    if (SSL_CTX_use_certificate(ctx.get(), leaf.cert.get()) != 1 ||
        SSL_CTX_use_PrivateKey(ctx.get(), leaf.key.get()) != 1) {
        fail(fmt::format("use the {} certificate", tls::key_type_name(c.key)));
    }
    if (c.group == "ffdhe2048" && c.version != TLS1_3_VERSION) set_ffdhe2048(ctx.get());
    return ctx;
}

tls::SslCtxPtr client_context(const Case& c) {
    tls::SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
    if (!ctx) fail("create a client context");
    pin(ctx.get(), c, false);
    set_resumption(ctx.get(), c.mode, false);
    if (X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx.get()), bench_ca().cert.get()) != 1) {
        fail("trust the bench CA");
    }
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    return ctx;
}

// One turn of one side. Returns false on a real failure.
bool step(SSL* ssl, bool& done) {
    const int rc = SSL_do_handshake(ssl);
    if (rc == 1) {
        done = true;
        return true;
    }
    const int error = SSL_get_error(ssl, rc);
    return error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE;
}

int loopback_listener() {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        listen(fd, 64) != 0) {
        if (fd >= 0) close(fd);
        throw cli::Error(cli::kFailure, "bench: cannot listen on a loopback port for --transport tcp");
    }
    return fd;
}

void tune(int fd) {
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

// A client socket connected to the listener, and the server's end of it.
bool tcp_connection(int listener, int& client_fd, int& server_fd) {
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
    client_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (client_fd < 0 || connect(client_fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) return false;
    // Reset on close: thousands of connections a second would otherwise fill
    // the port range with TIME_WAIT.
    const linger reset{1, 0};
    setsockopt(client_fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    server_fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (server_fd < 0) return false;
    tune(client_fd);
    tune(server_fd);
    return true;
}

void wait_readable(SSL* a, SSL* b) {
    std::array<pollfd, 2> fds{pollfd{SSL_get_fd(a), POLLIN, 0}, pollfd{SSL_get_fd(b), POLLIN, 0}};
    poll(fds.data(), fds.size(), 1000);
}

// Certificates and keys as a server loads them from files: parsed from PEM.
// One made in memory re-encodes itself whenever it is sent, a cost no real
// server pays.
tls::Issued as_loaded(const tls::Issued& made) {
    const std::string cert_pem = tls::to_pem(made.cert.get());
    const std::string key_pem = tls::to_pem(made.key.get());
    tls::BioPtr cert_bio(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
    tls::BioPtr key_bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
    tls::Issued loaded{tls::X509Ptr(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr)),
                       tls::EvpPkeyPtr(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr))};
    if (!loaded.cert || !loaded.key) fail("read back a bench certificate");
    return loaded;
}

}  // namespace

std::string_view transport_name(Transport transport) {
    return transport == Transport::tcp ? "tcp" : "memory";
}

const tls::Issued& bench_ca() {
    static const tls::Issued ca = as_loaded(tls::make_ca(tls::KeyType::ecdsa_p256, "sslfeatures bench CA"));
    return ca;
}

const tls::Issued& bench_leaf(tls::KeyType key) {
    static std::mutex mutex;
    static std::map<tls::KeyType, tls::Issued> leaves;
    const tls::Issued& ca = bench_ca();
    std::lock_guard lock(mutex);
    auto it = leaves.find(key);
    if (it == leaves.end()) {
        it = leaves.emplace(key, as_loaded(tls::issue_leaf(ca, key, kHost, {kHost}))).first;
    }
    return it->second;
}

Negotiated read_negotiated(SSL* client) {
    Negotiated n;
    n.version = SSL_version(client);
    const SSL_CIPHER* cipher = SSL_get_current_cipher(client);
    n.cipher = cipher != nullptr ? SSL_CIPHER_get_name(cipher) : "";
    n.group = negotiated_group(client);
    n.key = peer_key_name(client);
    n.resumed = SSL_session_reused(client) == 1;
    return n;
}

std::string mismatch(const Case& c, const Negotiated& got) {
    std::vector<std::string> wrong;
    if (got.version != c.version) {
        wrong.push_back(fmt::format("version {} instead of {}", tls::protocol_name(got.version),
                                    tls::protocol_name(c.version)));
    }
    if (got.cipher != c.cipher) wrong.push_back(fmt::format("suite {} instead of {}", got.cipher, c.cipher));
    const bool checks_group = !(got.resumed && c.version != TLS1_3_VERSION);
    if (checks_group && got.group != c.group) {
        wrong.push_back(fmt::format("group '{}' instead of {}", got.group, c.group));
    }
    if (got.key != tls::key_type_name(c.key)) {
        wrong.push_back(fmt::format("key '{}' instead of {}", got.key, tls::key_type_name(c.key)));
    }
    if (got.resumed != c.resumed()) {
        wrong.push_back(c.resumed() ? "a full handshake instead of a resumed one"
                                    : "a resumed handshake instead of a full one");
    }
    if (wrong.empty()) return "";
    std::string text = c.name() + " negotiated ";
    for (std::size_t i = 0; i < wrong.size(); ++i) text += (i ? ", " : "") + wrong[i];
    return text;
}

Pair::Pair(const Case& c, Transport transport)
    : case_(c), transport_(transport), client_ctx_(client_context(c)), server_ctx_(server_context(c)) {
    if (transport_ == Transport::tcp) listener_ = loopback_listener();
}

Pair::~Pair() {
    client_.reset();
    server_.reset();
    SSL_SESSION_free(session_);
    if (listener_ >= 0) close(listener_);
}

bool Pair::connect_transport(bool resume) {
    client_.reset(SSL_new(client_ctx_.get()));
    server_.reset(SSL_new(server_ctx_.get()));
    if (!client_ || !server_) return false;
    if (transport_ == Transport::memory) {
        BIO* client_end = nullptr;
        BIO* server_end = nullptr;
        if (BIO_new_bio_pair(&client_end, 0, &server_end, 0) != 1) return false;
        SSL_set_bio(client_.get(), client_end, client_end);
        SSL_set_bio(server_.get(), server_end, server_end);
    } else {
        int client_fd = -1;
        int server_fd = -1;
        const bool ok = tcp_connection(listener_, client_fd, server_fd);
        // The SSLs own the sockets from here (BIO_CLOSE), even on failure.
        if (client_fd >= 0) SSL_set_fd(client_.get(), client_fd);
        if (server_fd >= 0) SSL_set_fd(server_.get(), server_fd);
        for (SSL* ssl : {client_.get(), server_.get()}) {
            if (BIO* bio = SSL_get_rbio(ssl)) (void)BIO_set_close(bio, BIO_CLOSE);
        }
        if (!ok) return false;
    }
    SSL_set_connect_state(client_.get());
    SSL_set_accept_state(server_.get());
    if (resume && SSL_set_session(client_.get(), session_) != 1) return false;
    return true;
}

// Turns alternate until both sides are done; with `measure`, each side's
// turns are timed on this thread's CPU clock.
bool Pair::drive(bool measure) {
    SSL* client = client_.get();
    SSL* server = server_.get();
    bool client_done = false;
    bool server_done = false;
    double mark = measure ? thread_cpu_ns() : 0;
    for (int turn = 0; turn < kMaxTurns && !(client_done && server_done); ++turn) {
        if (!client_done && !step(client, client_done)) return false;
        if (measure) {
            const double now = thread_cpu_ns();
            measures_.client_cpu_ns += now - mark;
            mark = now;
        }
        if (!server_done && !step(server, server_done)) return false;
        if (measure) {
            const double now = thread_cpu_ns();
            measures_.server_cpu_ns += now - mark;
            mark = now;
        }
        if (transport_ == Transport::tcp && !(client_done && server_done)) wait_readable(client, server);
    }
    if (!(client_done && server_done)) return false;
    if (case_.version == TLS1_3_VERSION) {
        drain_tickets();
        if (measure) measures_.client_cpu_ns += thread_cpu_ns() - mark;
    }
    return true;
}

// TLS 1.3 tickets arrive after the handshake; a client reads them as part of
// connecting (and the next resumption needs one), so it costs the client.
void Pair::drain_tickets() {
    if (transport_ == Transport::tcp) {
        pollfd fd{SSL_get_fd(client_.get()), POLLIN, 0};
        poll(&fd, 1, 1000);
    }
    char byte = 0;
    if (SSL_read(client_.get(), &byte, 1) <= 0) ERR_clear_error();
}

bool Pair::handshake(bool measure) {
    return run(measure, case_.resumed());
}

bool Pair::run(bool measure, bool resume) {
    if (!connect_transport(resume)) {
        error_ = fmt::format("{}: cannot connect the {} transport: {}", case_.name(),
                             transport_name(transport_), tls::first_error_reason("no details"));
        return false;
    }
    if (!drive(measure)) {
        error_ = fmt::format("{}: the handshake failed: {}", case_.name(),
                             tls::first_error_reason("it did not finish"));
        return false;
    }
    // Closed as if close_notify had passed both ways: OpenSSL drops the
    // session of a connection freed without a shutdown, and resumption would
    // then quietly turn into full handshakes.
    SSL_set_shutdown(client_.get(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_set_shutdown(server_.get(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    if ((SSL_session_reused(client_.get()) == 1) != resume) {
        error_ = check_last();
        return false;
    }
    if (measure) {
        measures_.sampled += 1;
        measures_.client_to_server_bytes += static_cast<double>(BIO_number_written(SSL_get_wbio(client_.get())));
        measures_.server_to_client_bytes += static_cast<double>(BIO_number_written(SSL_get_wbio(server_.get())));
    }
    return true;
}

std::string Pair::check_last() const {
    if (!client_) return case_.name() + ": no handshake ran";
    return mismatch(case_, read_negotiated(client_.get()));
}

std::string Pair::prime() {
    if (!run(false, false)) return error_;
    Case full = case_;
    full.mode = Mode::full;
    if (std::string wrong = mismatch(full, read_negotiated(client_.get())); !wrong.empty()) {
        return fmt::format("{} (its first, full handshake: {})", case_.name(), wrong);
    }
    if (!case_.resumed()) return "";
    session_ = SSL_get1_session(client_.get());
    if (session_ == nullptr) return case_.name() + ": the full handshake left no session to resume";
    if (!run(false, true)) return error_;
    return check_last();
}

std::string negotiation_failure(int version) {
    Case probe{version, "ECDHE-ECDSA-AES128-SHA", tls::KeyType::ecdsa_p256, "x25519", Mode::full,
               version < TLS1_2_VERSION};
    try {
        Pair pair(probe, Transport::memory);
        return pair.handshake(false) ? "" : pair.error();
    } catch (const cli::Error& e) {
        return e.what();
    }
}

}  // namespace sslfeatures::bench
