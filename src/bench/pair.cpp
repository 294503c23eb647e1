#include "bench/pair.hpp"


#include <fmt/format.h>

#include "bench/cpu_clock.hpp"
#include "bench/contexts.hpp"
#include "bench/negotiated.hpp"
#include "util/error.hpp"
#include "tls/errors.hpp"

namespace sslfeatures::bench {
namespace {

tls::Listener loopback_listener() {
    try {
        return tls::Listener("127.0.0.1", 0);
    } catch (const Error&) {
        throw Error(kFailure, "bench: cannot listen on a loopback port for --transport tcp");
    }
}

}  // namespace

std::string_view transport_name(Transport transport) {
    return transport == Transport::tcp ? "tcp" : "memory";
}

Pair::Pair(const Case& c, Transport transport, std::size_t memory_buffer)
    : case_(c), transport_(transport), memory_buffer_(memory_buffer), client_ctx_(client_context(c)), server_ctx_(server_context(c)) {
    if (transport_ == Transport::tcp) listener_.emplace(loopback_listener());
}

bool Pair::connect_transport(bool resume) {
    if (!engine_.start(client_ctx_.get(), server_ctx_.get())) return false;
    const bool joined = transport_ == Transport::tcp ? engine_.join_sockets(tls::loopback_pair(*listener_))
                                                     : engine_.join_in_memory(memory_buffer_);
    if (!joined) return false;
    return !resume || SSL_set_session(engine_.client(), session_.get()) == 1;
}

// With `measure`, each side's turns are timed on this thread's CPU clock. A
// TLS 1.3 client reads its tickets as part of connecting (and the next
// resumption needs one), so that read costs the client.
bool Pair::drive(bool measure) {
    double mark = measure ? thread_cpu_ns() : 0;
    auto charge = [&](tls::Side side) {
        if (!measure) return;
        const double now = thread_cpu_ns();
        (side == tls::Side::client ? measures_.client_cpu_ns : measures_.server_cpu_ns) += now - mark;
        mark = now;
    };
    if (engine_.drive(charge) != tls::DriveResult::finished) return false;
    if (case_.version == TLS1_3_VERSION) {
        engine_.receive_tickets();
        charge(tls::Side::client);
    }
    return true;
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
    engine_.mark_closed();
    if ((SSL_session_reused(engine_.client()) == 1) != resume) {
        error_ = check_last();
        return false;
    }
    if (measure) {
        measures_.sampled += 1;
        measures_.client_to_server_bytes += static_cast<double>(BIO_number_written(SSL_get_wbio(engine_.client())));
        measures_.server_to_client_bytes += static_cast<double>(BIO_number_written(SSL_get_wbio(engine_.server())));
    }
    return true;
}

std::string Pair::check_last() const {
    if (!engine_.client()) return case_.name() + ": no handshake ran";
    return mismatch(case_, read_negotiated(engine_.client()));
}

std::string Pair::prime() {
    if (!run(false, false)) return error_;
    Case full = case_;
    full.mode = Mode::full;
    if (std::string wrong = mismatch(full, read_negotiated(engine_.client())); !wrong.empty()) {
        return fmt::format("{} (its first, full handshake: {})", case_.name(), wrong);
    }
    if (!case_.resumed()) return "";
    session_.reset(SSL_get1_session(engine_.client()));
    if (!session_) return case_.name() + ": the full handshake left no session to resume";
    if (!run(false, true)) return error_;
    return check_last();
}

std::string negotiation_failure(int version) {
    Case probe{version, "ECDHE-ECDSA-AES128-SHA", tls::KeyType::ecdsa_p256, "x25519", Mode::full,
               version < TLS1_2_VERSION};
    try {
        Pair pair(probe, Transport::memory);
        return pair.handshake(false) ? "" : pair.error();
    } catch (const Error& e) {
        return e.what();
    }
}

}  // namespace sslfeatures::bench
