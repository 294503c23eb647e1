#include "tls/handshake_engine.hpp"

#include <array>

#include <poll.h>

#include <openssl/err.h>

namespace sslfeatures::tls {
namespace {

constexpr int kWaitMillis = 1000;

}  // namespace

bool HandshakeEngine::start(SSL_CTX* client_ctx, SSL_CTX* server_ctx) {
    client_.reset();
    server_.reset();
    sockets_ = SocketPair{};
    client_.reset(SSL_new(client_ctx));
    server_.reset(SSL_new(server_ctx));
    if (!client_ || !server_) return false;
    SSL_set_connect_state(client_.get());
    SSL_set_accept_state(server_.get());
    return true;
}

bool HandshakeEngine::join_in_memory(std::size_t buffer_bytes) {
    BIO* client_end = nullptr;
    BIO* server_end = nullptr;
    if (BIO_new_bio_pair(&client_end, buffer_bytes, &server_end, buffer_bytes) != 1) return false;
    SSL_set_bio(client_.get(), client_end, client_end);
    SSL_set_bio(server_.get(), server_end, server_end);
    return true;
}

bool HandshakeEngine::join_sockets(SocketPair sockets) {
    if (!sockets.client || !sockets.server) return false;
    // The SSLs only borrow the descriptors (BIO_NOCLOSE); sockets_ closes them.
    sockets_ = std::move(sockets);
    return SSL_set_fd(client_.get(), sockets_.client.fd()) == 1 &&
           SSL_set_fd(server_.get(), sockets_.server.fd()) == 1;
}

bool HandshakeEngine::step(SSL* ssl, bool& done) {
    const int rc = SSL_do_handshake(ssl);
    if (rc == 1) {
        done = true;
        return true;
    }
    const int error = SSL_get_error(ssl, rc);
    return error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE;
}

void HandshakeEngine::wait_for_bytes() const {
    std::array<pollfd, 2> fds{pollfd{sockets_.client.fd(), POLLIN, 0}, pollfd{sockets_.server.fd(), POLLIN, 0}};
    ::poll(fds.data(), fds.size(), kWaitMillis);
}

void HandshakeEngine::receive_tickets() {
    if (sockets_.client) {
        pollfd fd{sockets_.client.fd(), POLLIN, 0};
        ::poll(&fd, 1, kWaitMillis);
    }
    char byte = 0;
    if (SSL_read(client_.get(), &byte, 1) <= 0) ERR_clear_error();
}

void HandshakeEngine::mark_closed() {
    SSL_set_shutdown(client_.get(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_set_shutdown(server_.get(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
}

void HandshakeEngine::release(Side side) {
    (side == Side::client ? client_ : server_).reset();
}

}  // namespace sslfeatures::tls
