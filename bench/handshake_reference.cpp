// The plainest in-memory handshake loop written directly against OpenSSL:
// the yardstick for `sslfeatures bench`'s harness overhead
// (bench/handshake_overhead.sh runs the two interleaved).
//
// Same work per handshake as the bench engine, nothing more: a new client and
// server SSL, a BIO pair, SSL_do_handshake in turns, the TLS 1.3 tickets read
// by the client, a clean close; resumed runs offer the first session. The
// server keeps no session cache.
//
// Usage: handshake_reference CERT KEY CAFILE tls1.3|tls1.2 SUITE SERVER_GROUPS CLIENT_GROUPS full|ticket SECONDS|Nx
// (before TLS 1.3 a client must also list an ECDSA certificate's curve; Nx:
// exactly N handshakes after the warm-up, as Google Benchmark's
// --benchmark_min_time=Nx; bench/instructions.sh counts instructions so)
// Prints: handshakes_per_second=N
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace {

[[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "handshake_reference: %s\n", what);
    ERR_print_errors_fp(stderr);
    std::exit(1);
}

struct Setup {
    int version;
    const char* suite;
    bool ticket;
};

void pin(SSL_CTX* ctx, const Setup& s, const char* groups) {
    const bool tls13 = s.version == TLS1_3_VERSION;
    if (SSL_CTX_set_min_proto_version(ctx, s.version) != 1 || SSL_CTX_set_max_proto_version(ctx, s.version) != 1 ||
        (tls13 ? SSL_CTX_set_ciphersuites(ctx, s.suite) : SSL_CTX_set_cipher_list(ctx, s.suite)) != 1 ||
        SSL_CTX_set1_groups_list(ctx, groups) != 1) {
        die("cannot configure the context");
    }
}

// Returns true when the handshake finished and resumed as expected.
bool handshake(SSL_CTX* client_ctx, SSL_CTX* server_ctx, SSL_SESSION* session, bool tls13, SSL_SESSION** keep) {
    SSL* client = SSL_new(client_ctx);
    SSL* server = SSL_new(server_ctx);
    BIO* client_end = nullptr;
    BIO* server_end = nullptr;
    BIO_new_bio_pair(&client_end, 0, &server_end, 0);
    SSL_set_bio(client, client_end, client_end);
    SSL_set_bio(server, server_end, server_end);
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    if (session != nullptr) SSL_set_session(client, session);
    bool client_done = false;
    bool server_done = false;
    bool ok = true;
    for (int turn = 0; turn < 64 && ok && !(client_done && server_done); ++turn) {
        for (auto [ssl, done] : {std::pair{client, &client_done}, std::pair{server, &server_done}}) {
            if (*done) continue;
            const int rc = SSL_do_handshake(ssl);
            if (rc == 1) {
                *done = true;
            } else {
                const int e = SSL_get_error(ssl, rc);
                ok = ok && (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE);
            }
        }
    }
    ok = ok && client_done && server_done;
    if (ok && tls13) {
        char byte;
        if (SSL_read(client, &byte, 1) <= 0) ERR_clear_error();
    }
    ok = ok && (SSL_session_reused(client) == 1) == (session != nullptr);
    if (keep != nullptr) *keep = SSL_get1_session(client);
    SSL_set_shutdown(client, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_set_shutdown(server, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_free(client);
    SSL_free(server);
    return ok;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 10) die("usage: CERT KEY CAFILE tls1.3|tls1.2 SUITE SERVER_GROUPS CLIENT_GROUPS full|ticket SECONDS|Nx");
    const Setup s{std::string(argv[4]) == "tls1.3" ? TLS1_3_VERSION : TLS1_2_VERSION, argv[5],
                  std::string(argv[8]) == "ticket"};
    const std::string limit = argv[9];
    const bool counted = !limit.empty() && limit.back() == 'x';
    const double seconds = counted ? 0 : std::atof(limit.c_str());
    const long handshakes = counted ? std::atol(limit.c_str()) : 0;

    SSL_CTX* server_ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX* client_ctx = SSL_CTX_new(TLS_client_method());
    pin(server_ctx, s, argv[6]);
    pin(client_ctx, s, argv[7]);
    if (SSL_CTX_use_certificate_chain_file(server_ctx, argv[1]) != 1 ||
        SSL_CTX_use_PrivateKey_file(server_ctx, argv[2], SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_load_verify_locations(client_ctx, argv[3], nullptr) != 1) {
        die("cannot load the certificates");
    }
    SSL_CTX_set_verify(client_ctx, SSL_VERIFY_PEER, nullptr);
    // No server cache, as in the bench: full handshakes would fill it, and
    // tickets must not fall back on it.
    SSL_CTX_set_session_cache_mode(server_ctx, SSL_SESS_CACHE_OFF);

    const bool tls13 = s.version == TLS1_3_VERSION;
    SSL_SESSION* session = nullptr;
    if (!handshake(client_ctx, server_ctx, nullptr, tls13, &session)) die("the first handshake failed");
    SSL_SESSION* offer = s.ticket ? session : nullptr;
    // Warm up as the bench engine does (its priming handshakes), then count.
    if (!handshake(client_ctx, server_ctx, offer, tls13, nullptr)) die("the handshake failed");
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    const auto until = start + std::chrono::duration<double>(seconds);
    long count = 0;
    auto one = [&] {
        if (!handshake(client_ctx, server_ctx, offer, tls13, nullptr)) die("a handshake failed or did not resume");
    };
    if (counted) {
        for (; count < handshakes; ++count) one();
    }
    while (!counted && Clock::now() < until) {
        for (int i = 0; i < 16; ++i, ++count) one();
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("handshakes_per_second=%.1f\n", static_cast<double>(count) / elapsed);
    SSL_SESSION_free(session);
    SSL_CTX_free(client_ctx);
    SSL_CTX_free(server_ctx);
    return 0;
}
