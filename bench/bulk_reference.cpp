// The plainest in-memory bulk loop written directly against OpenSSL: the
// yardstick for `sslfeatures bench --measure bulk` (bench/bulk_overhead.sh
// runs the two interleaved).
//
// One full handshake over a BIO pair, then, over and over, the client writes
// one payload with SSL_write_ex and the server reads it with SSL_read_ex until
// all of it is in. Nothing else is checked or counted in the loop.
//
// Usage: bulk_reference CERT KEY CAFILE tls1.3|tls1.2 SUITE GROUPS etm|mte PAYLOAD SECONDS|Nx
// (Nx: exactly N payloads after the warm-up, as Google Benchmark's
// --benchmark_min_time=Nx; bench/instructions.sh counts instructions so)
// Prints: MBps=N (10^6 payload bytes per second of wall time)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace {

[[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "bulk_reference: %s\n", what);
    ERR_print_errors_fp(stderr);
    std::exit(1);
}

void pin(SSL_CTX* ctx, int version, const char* suite, const char* groups, bool etm) {
    const bool tls13 = version == TLS1_3_VERSION;
    if (SSL_CTX_set_min_proto_version(ctx, version) != 1 || SSL_CTX_set_max_proto_version(ctx, version) != 1 ||
        (tls13 ? SSL_CTX_set_ciphersuites(ctx, suite) : SSL_CTX_set_cipher_list(ctx, suite)) != 1 ||
        SSL_CTX_set1_groups_list(ctx, groups) != 1) {
        die("cannot configure the context");
    }
    if (!etm) SSL_CTX_set_options(ctx, SSL_OP_NO_ENCRYPT_THEN_MAC);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 10) die("usage: CERT KEY CAFILE tls1.3|tls1.2 SUITE GROUPS etm|mte PAYLOAD SECONDS|Nx");
    const int version = std::string(argv[4]) == "tls1.3" ? TLS1_3_VERSION : TLS1_2_VERSION;
    const bool etm = std::string(argv[7]) == "etm";
    const std::size_t payload = std::strtoul(argv[8], nullptr, 10);
    const std::string limit = argv[9];
    const bool counted = !limit.empty() && limit.back() == 'x';
    const double seconds = counted ? 0 : std::atof(limit.c_str());
    const long payloads = counted ? std::atol(limit.c_str()) : 0;

    SSL_CTX* server_ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX* client_ctx = SSL_CTX_new(TLS_client_method());
    pin(server_ctx, version, argv[5], argv[6], etm);
    pin(client_ctx, version, argv[5], argv[6], etm);
    if (SSL_CTX_use_certificate_chain_file(server_ctx, argv[1]) != 1 ||
        SSL_CTX_use_PrivateKey_file(server_ctx, argv[2], SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_load_verify_locations(client_ctx, argv[3], nullptr) != 1) {
        die("cannot load the certificates");
    }
    SSL_CTX_set_verify(client_ctx, SSL_VERIFY_PEER, nullptr);

    SSL* client = SSL_new(client_ctx);
    SSL* server = SSL_new(server_ctx);
    BIO* client_end = nullptr;
    BIO* server_end = nullptr;
    // Room for one payload's records each way.
    const std::size_t buffer = payload + (payload / 16384 + 1) * 128 + 16384;
    BIO_new_bio_pair(&client_end, buffer, &server_end, buffer);
    SSL_set_bio(client, client_end, client_end);
    SSL_set_bio(server, server_end, server_end);
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    bool client_done = false;
    bool server_done = false;
    for (int turn = 0; turn < 64 && !(client_done && server_done); ++turn) {
        if (!client_done) client_done = SSL_do_handshake(client) == 1;
        if (!server_done) server_done = SSL_do_handshake(server) == 1;
    }
    if (!client_done || !server_done) die("the handshake failed");
    if (version == TLS1_3_VERSION) {
        char byte;
        if (SSL_read(client, &byte, 1) <= 0) ERR_clear_error();  // the tickets
    }

    std::vector<unsigned char> out(payload, 0x5a);
    std::vector<unsigned char> in(payload);
    auto one = [&] {
        std::size_t n = 0;
        if (SSL_write_ex(client, out.data(), out.size(), &n) != 1) die("a write failed");
        for (std::size_t got = 0; got < in.size(); got += n) {
            if (SSL_read_ex(server, in.data() + got, in.size() - got, &n) != 1) die("a read failed");
        }
    };
    for (int i = 0; i < 64; ++i) one();  // warm up as the bench's checks do
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    const auto until = start + std::chrono::duration<double>(seconds);
    long count = 0;
    if (counted) {
        for (; count < payloads; ++count) one();
    }
    while (!counted && Clock::now() < until) {
        for (int i = 0; i < 64; ++i, ++count) one();
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("MBps=%.1f\n", static_cast<double>(count) * static_cast<double>(payload) / elapsed / 1e6);
    SSL_free(client);
    SSL_free(server);
    SSL_CTX_free(client_ctx);
    SSL_CTX_free(server_ctx);
    return 0;
}
