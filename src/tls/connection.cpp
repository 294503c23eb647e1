#include "tls/connection.hpp"

#include <cerrno>
#include <chrono>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include <openssl/err.h>

namespace sslfeatures::tls {

Connection::Connection(SSL_CTX* ctx, Socket socket, Role role, std::string peer)
    : socket_(std::move(socket)), ssl_(SSL_new(ctx)), peer_(std::move(peer)) {
    if (!ssl_) throw Error(kFailure, "cannot create a TLS connection: " + openssl_error_text());
    if (SSL_set_fd(ssl_.get(), socket_.fd()) != 1) {
        throw Error(kFailure, "cannot attach the socket to a TLS connection: " + openssl_error_text());
    }
    SSL_set_app_data(ssl_.get(), this);
    SSL_set_verify(ssl_.get(), SSL_get_verify_mode(ssl_.get()), remember_leaf);
    if (role == Role::client) SSL_set_connect_state(ssl_.get());
    else SSL_set_accept_state(ssl_.get());
    peer_messages_.install(ssl_.get());
}

int Connection::remember_leaf(int ok, X509_STORE_CTX* store) {
    auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    auto* self = ssl != nullptr ? static_cast<Connection*>(SSL_get_app_data(ssl)) : nullptr;
    if (self != nullptr && !self->presented_leaf_ && X509_STORE_CTX_get_error_depth(store) == 0) {
        if (X509* leaf = X509_STORE_CTX_get_current_cert(store); leaf != nullptr && X509_up_ref(leaf) == 1) {
            self->presented_leaf_.reset(leaf);
        }
    }
    return ok;
}

bool Connection::wait_for(int ssl_result, Deadline deadline, const char* doing) {
    int err = SSL_get_error(ssl_.get(), ssl_result);
    if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) return false;
    if (!wait_fd(socket_.fd(), err == SSL_ERROR_WANT_WRITE, deadline)) {
        throw Error(kTimeout, fmt::format("timed out {} {} (no answer in time; try {})",
                                                    doing, peer_, deadline.option));
    }
    return true;
}

void Connection::handshake(Deadline deadline) {
    ERR_clear_error();
    auto start = std::chrono::steady_clock::now();
    for (;;) {
        int rc = SSL_do_handshake(ssl_.get());
        if (rc == 1) break;
        if (!wait_for(rc, deadline, "in the TLS handshake with")) {
            throw handshake_error(ssl_.get(), rc, peer_messages_, peer_, presented_leaf_.get());
        }
    }
    handshake_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    SSL_set_msg_callback(ssl_.get(), nullptr);
}

void Connection::write_all(std::string_view data, Deadline deadline) {
    while (!data.empty()) {
        size_t written = 0;
        int rc = SSL_write_ex(ssl_.get(), data.data(), data.size(), &written);
        if (rc == 1) {
            data.remove_prefix(written);
            continue;
        }
        if (!wait_for(rc, deadline, "sending to")) {
            // The peer may have said why before it closed: an alert waiting to be read.
            ERR_clear_error();
            read_some(deadline);
            throw Error(kPeerClosed, fmt::format("{} closed the connection while we were sending",
                                                           peer_));
        }
    }
}

std::optional<std::string> Connection::read_some(Deadline deadline) {
    char buf[16384];
    for (;;) {
        size_t got = 0;
        int rc = SSL_read_ex(ssl_.get(), buf, sizeof buf, &got);
        if (rc == 1) return std::string(buf, got);
        int err = SSL_get_error(ssl_.get(), rc);
        if (err == SSL_ERROR_ZERO_RETURN) return std::nullopt;
        if (wait_for(rc, deadline, "waiting for data from")) continue;
        // A peer that closes without close_notify ends the stream all the same;
        // an alert (say, "certificate required" after a TLS 1.3 handshake) is an error.
        if (err == SSL_ERROR_SSL && ERR_GET_REASON(ERR_peek_last_error()) >= SSL_AD_REASON_OFFSET) {
            throw handshake_error(ssl_.get(), rc, peer_messages_, peer_, presented_leaf_.get());
        }
        ERR_clear_error();
        return std::nullopt;
    }
}

void Connection::close() {
    SSL_shutdown(ssl_.get());
    ERR_clear_error();
}

void Connection::linger(Deadline deadline) {
    ::shutdown(socket_.fd(), SHUT_WR);
    char buf[4096];
    while (wait_fd(socket_.fd(), false, deadline)) {
        ssize_t n = ::read(socket_.fd(), buf, sizeof buf);
        if (n <= 0 && !(n < 0 && (errno == EINTR || errno == EAGAIN))) break;
    }
}

void Connection::close_and_drain(Deadline deadline) {
    close();
    while (read_some(deadline)) {
    }
}

std::string python_bytes_repr(std::string_view data) {
    // Python picks double quotes only when the data has ' and no ".
    const bool dq = data.find('\'') != std::string_view::npos && data.find('"') == std::string_view::npos;
    const char quote = dq ? '"' : '\'';
    std::string out = "b";
    out += quote;
    for (unsigned char c : data) {
        switch (c) {
            case '\\': out += "\\\\"; break;
            case '\t': out += "\\t"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            default:
                if (c == static_cast<unsigned char>(quote)) {
                    out += '\\';
                    out += static_cast<char>(c);
                } else if (c < 0x20 || c >= 0x7f) {
                    out += fmt::format("\\x{:02x}", c);
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    out += quote;
    return out;
}

}  // namespace sslfeatures::tls
