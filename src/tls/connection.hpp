// One TLS connection over a socket, with deadlines on every step.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tls/context.hpp"
#include "tls/errors.hpp"
#include "tls/net.hpp"

namespace sslfeatures::tls {

class Connection {
  public:
    // `peer` names the other side in error messages ("localhost:1060").
    Connection(SSL_CTX* ctx, Socket socket, Role role, std::string peer);

    SSL* ssl() const { return ssl_.get(); }
    int fd() const { return socket_.fd(); }
    const std::string& peer() const { return peer_; }
    double handshake_ms() const { return handshake_ms_; }

    // Throws Error with the cause's exit code.
    void handshake(Deadline deadline);
    void write_all(std::string_view data, Deadline deadline);
    // The next bytes from the peer; nullopt once it has closed.
    std::optional<std::string> read_some(Deadline deadline);
    // Sends close_notify; failures here change nothing for the user.
    void close();
    // Sends close_notify and waits for the peer to close too, so that a late
    // rejection (a TLS 1.3 server refusing our certificate) is not missed.
    void close_and_drain(Deadline deadline);
    // After a failed handshake: stop sending, then read and discard until the
    // peer closes or the deadline, so our alert reaches it instead of a reset.
    void linger(Deadline deadline);

  private:
    // Waits for what OpenSSL asked for; false when it was an error, not a wait.
    bool wait_for(int ssl_result, Deadline deadline, const char* doing);

    // Keeps the certificate the peer presented, for error messages.
    static int remember_leaf(int ok, X509_STORE_CTX* store);

    Socket socket_;
    SslPtr ssl_;
    X509Ptr presented_leaf_;
    std::string peer_;
    PeerMessages peer_messages_;
    double handshake_ms_ = 0;
};

// Python's repr() of a bytes object: b'Simple', b'a\nb', b"it's".
std::string python_bytes_repr(std::string_view data);

}  // namespace sslfeatures::tls
