#include "bench/remote.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "bench/negotiated.hpp"
#include "tls/connection.hpp"
#include "tls/context.hpp"
#include "tls/keys.hpp"
#include "tls/net.hpp"
#include "tls/versions.hpp"
#include "util/error.hpp"

namespace sslfeatures::bench {
namespace {

// A handshake checked before any load: what it negotiated, the key the
// server presented, and the session it leaves for resumption.
struct Probed {
    Negotiated got;
    std::string key;
    SslSessionPtr session;
};

std::string peer_key(SSL* ssl) {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    X509Ptr cert(SSL_get1_peer_certificate(ssl));
#else
    X509Ptr cert(SSL_get_peer_certificate(ssl));
#endif
    return cert ? tls::key_name(X509_get0_pubkey(cert.get())) : "";
}

std::string mismatch_of(const Case& c, const std::string& key, const Negotiated& got);

// Over `spare` when it holds a connection, else over a new one.
Probed checked_handshake(SSL_CTX* ctx, const RemoteSettings& s, SSL_SESSION* offer, tls::Socket& spare) {
    const auto deadline = [&] { return tls::deadline_after(s.timeout, "--timeout"); };
    tls::Socket socket = spare ? std::move(spare) : tls::connect_tcp(s.target.host, s.target.port, deadline());
    tls::Connection conn(ctx, std::move(socket), tls::Role::client, s.target.text());
    tls::expect_peer_name(conn.ssl(), s.target.host);
    if (offer != nullptr && SSL_set_session(conn.ssl(), offer) != 1) {
        throw Error(kFailure, "cannot offer the session: " + openssl_error_text());
    }
    conn.handshake(deadline());
    Probed p{read_negotiated(conn.ssl()), peer_key(conn.ssl()), nullptr};
    // TLS 1.3 tickets come after the handshake: close as a client does and
    // read what is left, tickets included. A server slow to close costs the
    // probe its ticket at worst, which the resumption check then reports.
    try {
        conn.close_and_drain(tls::deadline_after(std::min(s.timeout, std::chrono::milliseconds(1000)), "--timeout"));
    } catch (const Error&) {
    }
    p.session.reset(SSL_get1_session(conn.ssl()));
    return p;
}

// Failures that are not about the case: every case would meet them, so the
// run stops with the cause's exit code instead of skipping them all.
bool stops_the_run(ExitCode code) {
    switch (code) {
        case kRefused:
        case kResolve:
        case kTimeout:
        case kNotTls:
        case kNameMismatch:
        case kUnknownCa:
        case kSelfSigned:
        case kExpired:
        case kNotYetValid:
        case kVerifyFailed: return true;
        default: return false;
    }
}

// The matrix's cases with the key left open: one per version, suite, group and mode.
std::vector<Case> keyless_cases(const Matrix& matrix) {
    std::vector<Case> out;
    for (const Case& c : matrix.cases) {
        const bool seen = std::any_of(out.begin(), out.end(), [&](const Case& o) {
            return o.version == c.version && o.cipher == c.cipher && o.group == c.group && o.mode == c.mode &&
                   o.seclevel0 == c.seclevel0;
        });
        if (!seen) out.push_back(c);
    }
    return out;
}

// The case's name with "*" for the key, for cases that never reached the server.
std::string open_name(const Case& c) {
    RemoteCase rc{c, "*", nullptr, nullptr};
    return rc.name();
}

std::string resumption_problem(const Case& c, const SSL_SESSION* session) {
    if (session == nullptr || SSL_SESSION_is_resumable(session) != 1) {
        return c.mode == Mode::ticket ? "the server issued no session ticket" : "the server kept no session to resume";
    }
    if (c.mode == Mode::ticket && c.version != TLS1_3_VERSION && SSL_SESSION_has_ticket(session) != 1) {
        return "the server issued no session ticket";
    }
    return "";
}

// Probes one case: its context, a checked full handshake, and for resumed
// modes a checked resumption. Returns the reason it cannot run, or "".
std::string probe(RemoteCase& rc, const RemoteSettings& s, tls::Socket& spare) {
    rc.context = std::make_shared<SslCtxPtr>(remote_client_context(rc.c, s));
    Probed first = checked_handshake(rc.context->get(), s, nullptr, spare);
    rc.key = first.key;
    Case full = rc.c;
    full.mode = Mode::full;
    if (std::string wrong = mismatch_of(full, rc.key, first.got); !wrong.empty()) return wrong;
    if (!rc.c.resumed()) return "";
    if (std::string why = resumption_problem(rc.c, first.session.get()); !why.empty()) return why;
    Probed again = checked_handshake(rc.context->get(), s, first.session.get(), spare);
    if (!again.got.resumed) return fmt::format("the server did not resume the session ({})", mode_name(rc.c.mode));
    if (std::string wrong = mismatch_of(rc.c, rc.key, again.got); !wrong.empty()) return wrong;
    rc.session = std::make_shared<SslSessionPtr>(std::move(first.session));
    return "";
}

}  // namespace

Reached reach(const RemoteSettings& settings) {
    Reached r;
    r.socket =
        tls::connect_tcp(settings.target.host, settings.target.port, tls::deadline_after(settings.timeout, "--timeout"));
    Address& a = r.address;
    a.length = sizeof a.storage;
    if (::getpeername(r.socket.fd(), reinterpret_cast<sockaddr*>(&a.storage), &a.length) != 0) {
        throw Error(kFailure, fmt::format("cannot read the address of {}: {}", settings.target.text(), std::strerror(errno)));
    }
    return r;
}

std::string RemoteCase::name() const {
    return fmt::format("{}{}/{}/{}/{}/{}", tls::protocol_id(c.version), c.seclevel0 ? "@seclevel0" : "", c.cipher, key,
                       c.group, mode_name(c.mode));
}

SslCtxPtr remote_client_context(const Case& c, const RemoteSettings& s) {
    tls::ContextOptions o;
    o.role = tls::Role::client;
    o.ca_file = s.ca_file;
    o.insecure = s.insecure;
    o.protocol = c.version;
    tls::set_cipher_option(o, c.cipher);
    // Before TLS 1.3 a server may use an ECDSA certificate only on a curve the
    // client lists, so those suites also offer P-256 and P-384 after the
    // case's group; the check then refuses a server that picks one of those.
    // DHE takes its group from the server before TLS 1.3: nothing to list.
    const Group* group = find_group(c.group);
    if (c.group == "ffdhe2048" && c.version != TLS1_3_VERSION) group = nullptr;
    if (group != nullptr && !group->openssl.empty()) o.groups = std::string(group->openssl);
    const bool ecdsa_suite = c.version != TLS1_3_VERSION && c.cipher.find("ECDSA") != std::string::npos;
    if (ecdsa_suite && group != nullptr) {
        for (std::string_view curve : {"P-256", "P-384"}) {
            if (group->openssl != curve) o.groups += fmt::format(":{}", curve);
        }
    }
    SslCtxPtr ctx = tls::make_secure_context(o);
    // Each mode turns the other kind of resumption off, as in-process cases do.
    if (c.mode == Mode::session_id) SSL_CTX_set_options(ctx.get(), SSL_OP_NO_TICKET);
    return ctx;
}

namespace {

// What differs between the case (with the server's key) and what a handshake
// negotiated, as one line; "" when nothing does.
std::string mismatch_of(const Case& c, const std::string& key, const Negotiated& got) {
    std::vector<std::string> wrong;
    if (got.version != c.version) {
        wrong.push_back(fmt::format("version {} instead of {}", tls::protocol_name(got.version), tls::protocol_name(c.version)));
    }
    if (got.cipher != c.cipher) wrong.push_back(fmt::format("suite {} instead of {}", got.cipher, c.cipher));
    const bool checks_group = !(got.resumed && c.version != TLS1_3_VERSION);
    if (checks_group && got.group != c.group) wrong.push_back(fmt::format("group '{}' instead of {}", got.group, c.group));
    if (!key.empty() && key != "*" && got.key != key) wrong.push_back(fmt::format("key '{}' instead of {}", got.key, key));
    if (got.resumed != c.resumed()) {
        wrong.push_back(c.resumed() ? "a full handshake instead of a resumed one" : "a resumed handshake instead of a full one");
    }
    if (wrong.empty()) return "";
    std::string text = "the server negotiated ";
    for (std::size_t i = 0; i < wrong.size(); ++i) text += (i ? ", " : "") + wrong[i];
    return text;
}

}  // namespace

std::string remote_mismatch(const RemoteCase& rc, SSL* client) {
    if (client == nullptr) return "";
    Negotiated got = read_negotiated(client);
    got.key = peer_key(client);
    return mismatch_of(rc.c, rc.key, got);
}

RemoteMatrix probe_matrix(const Selection& selection, const RemoteSettings& settings, Reached& reached) {
    const Matrix matrix = build_matrix(selection);
    RemoteMatrix out;
    for (const Skipped& s : matrix.skipped) out.skipped.push_back(s);
    for (const Case& c : keyless_cases(matrix)) {
        if (c.seclevel0) {
            // Security level 0 would also accept weak certificate keys: --connect
            // keeps our client's level, which TLS 1.1 and 1.0 cannot meet.
            out.skipped.push_back({open_name(c), "--connect keeps the client's security level (2); this case needs 0"});
            continue;
        }
        RemoteCase rc{c, "*", nullptr, nullptr};
        std::string why;
        try {
            why = probe(rc, settings, reached.socket);
        } catch (const Error& e) {
            if (stops_the_run(e.code())) throw;
            why = e.what();
        }
        if (why.empty()) out.cases.push_back(std::move(rc));
        else out.skipped.push_back({rc.name(), fmt::format("the server refuses it: {}", why)});
    }
    return out;
}

}  // namespace sslfeatures::bench
