// Two SSLs of one process shaking hands with each other: a client and a
// server joined by an in-memory BIO pair (no kernel in the loop) or by both
// ends of a loopback TCP connection, each stepped in turn on one thread until
// both finish or one fails. The bench times these steps; the audit's protocol
// probe asks whether they finish at all.
#pragma once

#include <cstddef>

#include "tls/net.hpp"
#include "util/ossl_ptr.hpp"

namespace sslfeatures::tls {

enum class Side { client, server };

enum class DriveResult {
    finished,    // both sides completed the handshake
    failed,      // one side gave up: OpenSSL's error queue says why
    unfinished,  // still waiting after more turns than any handshake takes
};

class HandshakeEngine {
  public:
    // New SSLs from the two contexts, in connect and accept state, for the
    // next handshake; the last handshake's SSLs and sockets are freed first.
    // False when OpenSSL cannot make them.
    bool start(SSL_CTX* client_ctx, SSL_CTX* server_ctx);

    // Joins the two SSLs: what one writes, the other reads. In memory, each
    // direction buffers `buffer_bytes` (0: the BIO pair's default, 17 KiB).
    // False on failure.
    bool join_in_memory(std::size_t buffer_bytes = 0);
    bool join_sockets(SocketPair sockets);

    // Steps the client, then the server, turn after turn. `after_step(side)`
    // runs after each side's place in a turn, stepped or already done (the
    // bench reads its CPU clock there); the compiler inlines it, so a
    // handshake pays for no call it does not make.
    template <typename AfterStep>
    DriveResult drive(AfterStep&& after_step);
    DriveResult drive() {
        return drive([](Side) {});
    }

    // TLS 1.3 servers send their session tickets after the handshake; the
    // client takes them in with a read, as a real client does on its first.
    void receive_tickets();

    // Marks both ends closed as if close_notify had passed both ways: OpenSSL
    // drops the session of a connection freed without a shutdown, and
    // resumption would then quietly turn into full handshakes.
    void mark_closed();

    // Frees one side's SSL (with its end of the transport) now, leaving the
    // other: what it held is what the allocation count drops by.
    void release(Side side);

    SSL* client() const { return client_.get(); }
    SSL* server() const { return server_.get(); }

  private:
    static constexpr int kMaxTurns = 64;  // a handshake takes four or five

    // One SSL_do_handshake; false when the side failed rather than waits.
    static bool step(SSL* ssl, bool& done);
    // Over sockets, the peer's bytes take a moment: waits (a second at most)
    // until either end has something to read.
    void wait_for_bytes() const;

    SocketPair sockets_;  // empty when joined in memory; outlives the SSLs
    SslPtr client_;
    SslPtr server_;
};

template <typename AfterStep>
DriveResult HandshakeEngine::drive(AfterStep&& after_step) {
    bool client_done = false;
    bool server_done = false;
    for (int turn = 0; turn < kMaxTurns && !(client_done && server_done); ++turn) {
        if (!client_done && !step(client_.get(), client_done)) return DriveResult::failed;
        after_step(Side::client);
        if (!server_done && !step(server_.get(), server_done)) return DriveResult::failed;
        after_step(Side::server);
        if (sockets_.client && !(client_done && server_done)) wait_for_bytes();
    }
    return client_done && server_done ? DriveResult::finished : DriveResult::unfinished;
}

}  // namespace sslfeatures::tls
