// `bench --connect HOST:PORT`: the handshake matrix run as a client against a
// live server. This file holds what comes before the load: the target, the
// client context pinned to one case (verifying the server as our client
// does), and the probe that runs one checked handshake per case, learns the
// key the server presents and turns a refusal into a skipped case.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <sys/socket.h>

#include "bench/matrix.hpp"
#include "tls/host_names.hpp"
#include "tls/net.hpp"
#include "util/ossl_ptr.hpp"

namespace sslfeatures::bench {

// Where the server listens: "example.com:443", "127.0.0.1:4433", "[::1]:443"
// (tls::parse_host_port reads it).
using Target = tls::HostPort;

struct RemoteSettings {
    Target target;
    std::string ca_file;  // trust these CAs instead of the system's
    bool insecure = false;  // the user asked for no verification, in so many words
    int concurrency = 0;    // connections at once; 0: twice the cores
    double duration_s = 1;  // per case
    long max_handshakes = 0;  // per case, counting failed attempts; 0: no limit
    std::chrono::milliseconds timeout{10000};  // per connection: connect + handshake, and the probe's steps
};

// The address every connection of the load goes to: the one a plain TCP
// connect reached, so a name is resolved once, not per handshake.
struct Address {
    sockaddr_storage storage{};
    socklen_t length = 0;
};

// The server, reached once: its address, and the connection itself, which the
// first probe shakes hands over (a server counting its accepts, or logging a
// connection closed without a handshake, sees no extra one).
struct Reached {
    Address address;
    tls::Socket socket;
};

// Connects once. Throws Error with the cause's exit code (10 refused, 11 the
// name does not resolve, 12 timeout, 3 anything else, e.g. unreachable), one
// line naming the problem and what to do.
Reached reach(const RemoteSettings& settings);

// One case as the server answers it: `key` is the server's key in
// tls::key_name's spelling (it replaces the matrix's key in the name).
struct RemoteCase {
    Case c;
    std::string key;
    std::shared_ptr<SslCtxPtr> context;      // the pinned, verifying client context
    std::shared_ptr<SslSessionPtr> session;  // resumed modes: what every handshake offers
    std::string name() const;
};

struct RemoteMatrix {
    std::vector<RemoteCase> cases;
    std::vector<Skipped> skipped;
};

// Every case of the selection with the key left open (the server decides it),
// each probed by one checked handshake (and for resumed modes one checked
// resumption). A case the server refuses is skipped with the reason; a failure
// that no case could escape (refused, timeout, a certificate that does not
// verify, a peer that does not speak TLS) throws with its exit code.
// The first probe uses `reached.socket`.
RemoteMatrix probe_matrix(const Selection& selection, const RemoteSettings& settings, Reached& reached);

// The client context of one case: make_secure_context's checks (trust store,
// --ca-file, --insecure), pinned to the case's version, suite and group, and
// to its kind of resumption. Throws Error when the library refuses it.
SslCtxPtr remote_client_context(const Case& c, const RemoteSettings& settings);

// "" when the handshake on `client` negotiated what `rc` claims, else one line.
std::string remote_mismatch(const RemoteCase& rc, SSL* client);

}  // namespace sslfeatures::bench
