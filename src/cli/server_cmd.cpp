// `sslfeatures server HOST PORT -s CERT`: safe_tls.py's server, kept serving:
// each connection gets its own thread and deadlines, each failure one line on
// stderr, and SIGINT or SIGTERM ends it cleanly.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <semaphore>
#include <thread>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "cli/tls_options.hpp"
#include "cli/validators.hpp"
#include "tls/connection.hpp"
#include "tls/net.hpp"

namespace sslfeatures::cli {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int) { g_stop = true; }

void install_stop_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: poll() must wake up
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

struct ServerOptions : TlsOptions {
    bool once = false;
    double idle_timeout_s = 30;
    int max_clients = 128;
};

// safe_tls.py's lines, or with --format json the same facts as typed objects.
std::string listening_line(const ServerOptions& o, int port) {
    if (o.json()) {
        return json_line({{"type", "listening"}, {"interface", render::endpoint_json({o.host, port})}});
    }
    return fmt::format("Listening at interface '{}' and port {}\n", o.host, port);
}

std::string connection_line(const ServerOptions& o, const tls::Endpoint& from) {
    if (o.json()) return json_line({{"type", "connection"}, {"client_address", render::endpoint_json(from)}});
    return fmt::format("Connection from host '{}' and port {}\n", from.host, from.port);
}

// What a client sent: a Python bytes literal, or in JSON the text (bytes that
// are not UTF-8 replaced), its length in bytes and that literal, which keeps
// every byte.
std::string data_line(const ServerOptions& o, const tls::Endpoint& from, const std::string& chunk) {
    const std::string repr = tls::python_bytes_repr(chunk);
    if (!o.json()) return repr + "\n";
    return json_line({{"type", "data"},
                      {"client_address", render::endpoint_json(from)},
                      {"data", chunk},
                      {"length", chunk.size()},
                      {"repr", repr}});
}

// Counts the connections in progress, so a stopping server can let them end.
class ActiveConnections {
  public:
    void enter() { std::lock_guard l(m_); ++n_; }
    void leave() {
        std::lock_guard l(m_);
        if (--n_ == 0) cv_.notify_all();
    }
    // True when every connection ended within the limit.
    bool wait_idle(std::chrono::milliseconds limit) {
        std::unique_lock l(m_);
        return cv_.wait_for(l, limit, [this] { return n_ == 0; });
    }

  private:
    std::mutex m_;
    std::condition_variable cv_;
    int n_ = 0;
};

class Server {
  public:
    Server(const ServerOptions& o, SslCtxPtr ctx, tls::Listener listener)
        : o_(o), ctx_(std::move(ctx)), listener_(std::move(listener)), slots_(o.max_clients) {}

    // Serves until stopped; with --once, returns the first connection's result.
    int run() {
        while (!g_stop) {
            tls::Endpoint client;
            // A short wait, so that a stop request is seen soon.
            tls::Socket s = listener_.accept(tls::deadline_after(std::chrono::milliseconds(200), ""), &client);
            if (!s) continue;
            if (o_.once) return serve(std::move(s), client);
            if (!take_slot()) break;  // asked to stop while every slot was busy
            active_.enter();
            std::thread([this, sock = std::move(s), client]() mutable {
                serve(std::move(sock), client);
                active_.leave();
                slots_.release();
            }).detach();
        }
        const bool idle = active_.wait_idle(ms(o_.timeout_s));
        const int code = output_lost_ ? kFailure : kOk;
        if (!output_lost_) {
            std::fprintf(stderr, "sslfeatures: server stopped%s\n", idle ? "" : " (connections still open were cut)");
        }
        if (!idle) {
            // Threads still use OpenSSL: leave without running its exit-time cleanup.
            std::fflush(stdout);
            std::_Exit(code);
        }
        return code;
    }

  private:
    // What clients send can no longer be shown: stop, as for SIGTERM, and exit
    // 3. Only the first connection to find out says so.
    void stop_unheard(const StdoutError& e) {
        if (!output_lost_.exchange(true)) print_error(e.what());
        g_stop = true;
    }

    // Waits for one of the --max-clients slots, but not past a stop request:
    // with every slot held by slow clients, SIGTERM must still end the server.
    bool take_slot() {
        while (!slots_.try_acquire_for(std::chrono::milliseconds(200))) {
            if (g_stop) return false;
        }
        return true;
    }

    int serve(tls::Socket sock, const tls::Endpoint& from) {
        const std::string who = fmt::format("client {}", from.python_repr());
        std::optional<tls::Connection> conn;
        try {
            if (!o_.report) print_out(connection_line(o_, from));
            conn.emplace(ctx_.get(), std::move(sock), tls::Role::server, who);
            conn->handshake(tls::deadline_after(ms(o_.timeout_s), "--timeout"));
            if (o_.insecure && !o_.ca_file.empty()) print_warning(fmt::format("--insecure: {} was NOT verified", who));
            if (o_.report) {
                tls::ReportContext rc;
                rc.role = tls::Role::server;
                rc.address = tls::Endpoint{o_.host, listener_.port()};
                rc.client_address = from;
                rc.loaded_cas = !o_.ca_file.empty();
                print_report(*conn, rc, o_);
            }
            while (auto chunk = conn->read_some(tls::deadline_after(ms(o_.idle_timeout_s), "--idle-timeout"))) {
                print_out(data_line(o_, from, *chunk));
            }
            conn->close();
            return kOk;
        } catch (const StdoutError& e) {
            stop_unheard(e);
            return e.code();
        } catch (const Error& e) {
            print_error(e.what());
            if (conn) conn->linger(tls::deadline_after(std::chrono::milliseconds(500), "--timeout"));
            return e.code();
        }
    }

    static std::chrono::milliseconds ms(double seconds) {
        return std::chrono::milliseconds(static_cast<long>(seconds * 1000));
    }

    const ServerOptions& o_;
    SslCtxPtr ctx_;
    tls::Listener listener_;
    std::counting_semaphore<> slots_;
    ActiveConnections active_;
    std::atomic<bool> output_lost_{false};
};

int run_server(const ServerOptions& o) {
    if (o.cert_file.empty()) {
        throw Error(kUsage, "the server needs a certificate and key: -s FILE.pem (make one with "
                            "'sslfeatures pki DIR')");
    }
    auto ctx = tls::make_secure_context(o.context_options(tls::Role::server));
    tls::Listener listener(o.host, o.port);
    install_stop_handlers();
    const std::string line = listening_line(o, listener.port());
    // The text report starts with its own "Interface" line; keep stdout to
    // reports. JSON lines are typed, so the port a program needs stays on stdout.
    if (o.report && !o.json()) std::fprintf(stderr, "%s", line.c_str());
    else print_out(line);
    Server server(o, std::move(ctx), std::move(listener));
    return server.run();
}

}  // namespace

Runner setup_server(CLI::App& sub) {
    auto o = std::make_shared<ServerOptions>();
    add_tls_options(sub, *o, tls::Role::server);
    sub.add_option("-s,--cert", o->cert_file, "Our certificate and private key (PEM)");
    sub.add_flag("--once", o->once, "Serve one connection, then exit with its result's code");
    sub.add_option("--idle-timeout", o->idle_timeout_s, "Seconds a connected client may stay silent (default 30)")
        ->check(seconds_between(0.01, 86400.0));
    sub.add_option("--max-clients", o->max_clients, "Connections served at once (default 128)")
        ->check(CLI::Range(1, 4096));
    return [o] { return run_server(*o); };
}

}  // namespace sslfeatures::cli
