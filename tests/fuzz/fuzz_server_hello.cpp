// The server's handling of a client's first bytes: what `sslfeatures server`
// does with them, through the tool's own Connection (FirstBytes, the handshake
// loop, handshake_error()'s reading of what went wrong). The bytes arrive over
// a socketpair whose client end then stops sending, so the server always ends
// at the end of the input, never at a deadline: no network, no waiting.
#include <cerrno>
#include <cstdint>
#include <chrono>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

#include "util/error.hpp"
#include "fuzz_support.hpp"
#include "tls/connection.hpp"
#include "tls/context.hpp"
#include "tls/net.hpp"
#include "tls/pki.hpp"

namespace {

using namespace sslfeatures;

// Two server contexts: the default one (`server HOST PORT -s CERT`), and one
// that also takes ALPN and asks for client certificates (`--alpn h2 --alpn
// http/1.1 -a CA`), whose ALPN choice is the tool's own code.
struct Contexts {
    fuzz::ScratchFile pem{"fuzz_server_hello.pem"};
    SslCtxPtr plain, alpn_and_ca;

    Contexts() {
        const tls::Issued leaf = tls::make_self_signed_leaf(tls::KeyType::ecdsa_p256, "localhost", {"localhost"});
        pem.write(tls::to_pem(leaf.cert.get()) + tls::to_pem(leaf.key.get()));
        tls::ContextOptions o;
        o.role = tls::Role::server;
        o.cert_file = pem.path();
        plain = tls::make_secure_context(o);
        o.ca_file = pem.path();
        o.alpn = {"h2", "http/1.1"};
        alpn_and_ca = tls::make_secure_context(o);
    }
};

const Contexts& contexts() {
    static const Contexts made;
    return made;
}

// What the server wrote back (ServerHello, an alert): read and dropped, as a
// client would, so the next input starts with an empty socket.
void drain(int fd) {
    char buffer[4096];
    while (::read(fd, buffer, sizeof buffer) > 0) {
    }
}

void serve(SSL_CTX* ctx, std::string_view client_bytes) {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) fuzz::harness_failure("socketpair");
    tls::Socket client(fds[1]);
    // Inputs longer than the socket buffer are cut there: the rest would never
    // be read before the handshake fails anyway.
    if (::write(client.fd(), client_bytes.data(), client_bytes.size()) < 0 && errno != EAGAIN) fuzz::harness_failure("write");
    ::shutdown(client.fd(), SHUT_WR);
    try {
        tls::Connection conn(ctx, tls::Socket(fds[0]), tls::Role::server, "client fuzz");
        conn.handshake(tls::deadline_after(std::chrono::seconds(5), "--timeout"));
        conn.close();
    } catch (const Error&) {
        // The one-line reason the server prints for a failed connection.
    }
    drain(client.fd());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    contexts();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    serve(contexts().plain.get(), fuzz::as_text(data, size));
    serve(contexts().alpn_and_ca.get(), fuzz::as_text(data, size));
    return 0;
}
