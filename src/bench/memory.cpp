#include "bench/memory.hpp"

#include <algorithm>
#include <fstream>
#include <memory>

#include <malloc.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bench/alloc_count.hpp"
#include "bench/contexts.hpp"
#include "bench/negotiated.hpp"
#include "tls/errors.hpp"
#include "tls/handshake_engine.hpp"
#include "tls/keys.hpp"
#include "util/error.hpp"
#include "util/ossl_ptr.hpp"

namespace sslfeatures::bench {
namespace {

using Engine = tls::HandshakeEngine;

std::int64_t live() {
    return allocation_count().live_bytes;
}

// The case's two contexts and, for resumed cases, the session they resume.
class Connections {
  public:
    explicit Connections(const Case& c) : case_(c), client_ctx_(client_context(c)), server_ctx_(server_context(c)) {
        Engine first;
        open(first, false, false, false);
        if (!case_.resumed()) return;
        session_.reset(SSL_get1_session(first.client()));
        if (!session_) fail("the full handshake left no session to resume");
    }

    // One handshake on `engine` as the case prescribes, checked; with
    // `exchange`, then kExchangeBytes each way.
    void open(Engine& engine, bool release_buffers, bool exchange = false) {
        open(engine, release_buffers, case_.resumed(), exchange);
    }

    [[noreturn]] void fail(const std::string& what) const {
        throw Error(kFailure, fmt::format("{}: {}", case_.name(), what));
    }

  private:
    void open(Engine& engine, bool release_buffers, bool resume, bool exchange) {
        if (!engine.start(client_ctx_.get(), server_ctx_.get()) || !engine.join_in_memory()) {
            fail("cannot make the in-memory connection: " + tls::first_error_reason("no details"));
        }
        if (resume && SSL_set_session(engine.client(), session_.get()) != 1) fail("cannot offer the session");
        if (release_buffers) {
            SSL_set_mode(engine.client(), SSL_MODE_RELEASE_BUFFERS);
            SSL_set_mode(engine.server(), SSL_MODE_RELEASE_BUFFERS);
        }
        if (engine.drive() != tls::DriveResult::finished) {
            fail("the handshake failed: " + tls::first_error_reason("it did not finish"));
        }
        if (case_.version == TLS1_3_VERSION) engine.receive_tickets();
        Case expected = case_;
        if (!resume) expected.mode = Mode::full;
        if (std::string wrong = mismatch(expected, read_negotiated(engine.client())); !wrong.empty()) fail(wrong);
        if (exchange) {
            send(engine.client(), engine.server());
            send(engine.server(), engine.client());
        }
        engine.mark_closed();
    }

    void send(SSL* from, SSL* to) const;

    Case case_;
    SslCtxPtr client_ctx_;
    SslCtxPtr server_ctx_;
    SslSessionPtr session_;
};

void Connections::send(SSL* from, SSL* to) const {
    std::vector<unsigned char> sent(kExchangeBytes);
    for (std::size_t i = 0; i < sent.size(); ++i) sent[i] = static_cast<unsigned char>(i * 7);
    std::vector<unsigned char> received(kExchangeBytes);
    std::size_t written = 0;
    if (SSL_write_ex(from, sent.data(), sent.size(), &written) != 1 || written != sent.size()) {
        fail("cannot write the exchange: " + tls::first_error_reason("short write"));
    }
    for (std::size_t got = 0; got < received.size();) {
        std::size_t n = 0;
        if (SSL_read_ex(to, received.data() + got, received.size() - got, &n) != 1) {
            fail("cannot read the exchange: " + tls::first_error_reason("no data"));
        }
        got += n;
    }
    if (received != sent) fail("the exchange arrived changed");
}

// What both ends of a fresh in-memory BIO pair hold.
std::int64_t transport_bytes() {
    const std::int64_t before = live();
    BIO* a = nullptr;
    BIO* b = nullptr;
    if (BIO_new_bio_pair(&a, 0, &b, 0) != 1) throw Error(kFailure, "bench: cannot make a BIO pair");
    const std::int64_t held = live() - before;
    BIO_free(a);
    BIO_free(b);
    return held;
}

// One pair, then each side freed in turn: the drop is what that side held.
// Each side's end of the transport (half the pair's) is taken off.
SideBytes sides(Connections& connections, std::int64_t transport, bool exchange, bool release_buffers,
                std::int64_t* pair = nullptr) {
    Engine engine;
    const std::int64_t before = live();
    connections.open(engine, release_buffers, exchange);
    const std::int64_t open = live();
    engine.release(tls::Side::server);
    const std::int64_t client_only = live();
    engine.release(tls::Side::client);
    const std::int64_t closed = live();
    if (pair) *pair = open - before;
    return {client_only - closed - transport / 2, open - client_only - transport / 2};
}

// "VmRSS:  1234 kB" from /proc/self/status, in bytes.
double status_bytes(const std::string& field) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(field + ":", 0) == 0) return std::stod(line.substr(field.size() + 1)) * 1024;
    }
    return 0;
}

double heap_in_use() {
    const struct mallinfo2 info = mallinfo2();
    return static_cast<double>(info.uordblks + info.hblkhd);
}

nlohmann::json side_json(const SideBytes& s) {
    return {{"client", s.client}, {"server", s.server}};
}

SideBytes side_of(const nlohmann::json& j) {
    return {j.at("client").get<std::int64_t>(), j.at("server").get<std::int64_t>()};
}

nlohmann::json pairs_json(const PairsMemory& m) {
    return {{"pairs", m.pairs},         {"live_bytes", m.live_bytes}, {"live_blocks", m.live_blocks},
            {"heap_bytes", m.heap_bytes}, {"rss_bytes", m.rss_bytes},   {"hwm_bytes", m.hwm_bytes}};
}

PairsMemory pairs_of(const nlohmann::json& j) {
    PairsMemory m;
    m.pairs = j.at("pairs").get<int>();
    m.live_bytes = j.at("live_bytes").get<double>();
    m.live_blocks = j.at("live_blocks").get<double>();
    m.heap_bytes = j.at("heap_bytes").get<double>();
    m.rss_bytes = j.at("rss_bytes").get<double>();
    m.hwm_bytes = j.at("hwm_bytes").get<double>();
    return m;
}

// Everything a child writes to `fd` (which is then closed), and its status.
std::string read_until_exit(int fd, pid_t pid, int& status) {
    std::string out;
    char buffer[4096];
    for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) > 0;) out.append(buffer, static_cast<std::size_t>(n));
    close(fd);
    waitpid(pid, &status, 0);
    return out;
}

std::vector<std::string> own_arguments() {
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    std::vector<std::string> args;
    for (std::string arg; std::getline(in, arg, '\0');) args.push_back(arg);
    if (args.empty()) throw Error(kFailure, "bench: cannot read /proc/self/cmdline to run the counting process");
    return args;
}

// Runs this program again with the hooks asked for; its stdout, and its exit code.
std::string run_counting_process(int& exit_code) {
    std::vector<std::string> args = own_arguments();
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env{std::string(kCountingEnv) + "=1"};
    for (char** e = environ; *e; ++e) env.emplace_back(*e);
    std::vector<char*> envp;
    for (std::string& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);

    int fds[2];
    if (pipe(fds) != 0) throw Error(kFailure, "bench: cannot make a pipe for the counting process");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addclose(&actions, fds[1]);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        throw Error(kFailure, "bench: cannot run the counting process (/proc/self/exe)");
    }
    int status = 0;
    const std::string out = read_until_exit(fds[0], pid, status);
    exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : kFailure;
    return out;
}

}  // namespace

std::string counted_figures(const std::vector<Case>& cases, int pairs) {
    nlohmann::json all = nlohmann::json::array();
    for (const Case& c : cases) {
        const ConnectionMemory m = measure_connection(c);
        all.push_back({{"name", c.name()},
                       {"handshake", side_json(m.handshake)},
                       {"exchange", side_json(m.exchange)},
                       {"released", side_json(m.released)},
                       {"transport", m.transport},
                       {"pair", m.pair},
                       {"counted", pairs_json(hold_pairs(c, pairs))}});
    }
    return all.dump() + "\n";
}

std::vector<MemoryResult> measure_memory(const std::vector<Case>& cases, int pairs, int& exit_code) {
    const std::string out = run_counting_process(exit_code);
    if (exit_code != 0) return {};
    std::vector<MemoryResult> results;
    try {
        const nlohmann::json all = nlohmann::json::parse(out);
        for (std::size_t i = 0; i < cases.size(); ++i) {
            const nlohmann::json& j = all.at(i);
            MemoryResult r;
            r.c = cases[i];
            r.name = cases[i].name();
            if (j.at("name").get<std::string>() != r.name) throw Error(kFailure, "the cases differ");
            r.connection.handshake = side_of(j.at("handshake"));
            r.connection.exchange = side_of(j.at("exchange"));
            r.connection.released = side_of(j.at("released"));
            r.connection.transport = j.at("transport").get<std::int64_t>();
            r.connection.pair = j.at("pair").get<std::int64_t>();
            r.counted = pairs_of(j.at("counted"));
            results.push_back(std::move(r));
        }
    } catch (const std::exception& e) {
        throw Error(kFailure, fmt::format("bench: the counting process's figures do not read ({})", e.what()));
    }
    for (MemoryResult& r : results) r.resident = hold_pairs_in_child(r.c, pairs);
    return results;
}

std::vector<Case> memory_cases(const Selection& selection) {
    const auto picked = [](const std::vector<std::string>& chosen, std::string_view value) {
        return chosen.empty() || std::find(chosen.begin(), chosen.end(), value) != chosen.end();
    };
    std::vector<Case> cases;
    for (const Case& quick : quick_cases()) {
        std::vector<Case> modes{quick};
        if (quick.version == TLS1_2_VERSION && quick.mode == Mode::ticket) {
            modes.insert(modes.begin(), quick);
            modes.front().mode = Mode::session_id;
        }
        for (const Case& c : modes) {
            const std::string name = c.name();
            if (picked(selection.protocols, name.substr(0, name.find('/'))) &&
                picked(selection.keys, tls::key_type_name(c.key)) && picked(selection.modes, mode_name(c.mode))) {
                cases.push_back(c);
            }
        }
    }
    return cases;
}

ConnectionMemory measure_connection(const Case& c) {
    if (!counting_allocations()) throw Error(kFailure, "bench: OpenSSL's allocations are not being counted");
    Connections connections(c);
    ConnectionMemory m;
    // The first round builds what the first connection builds once; the
    // second is the one reported.
    for (int round = 0; round < 2; ++round) {
        m.transport = transport_bytes();
        m.handshake = sides(connections, m.transport, false, false, &m.pair);
        m.exchange = sides(connections, m.transport, true, false);
        m.released = sides(connections, m.transport, true, true);
    }
    return m;
}

PairsMemory hold_pairs(const Case& c, int pairs) {
    Connections connections(c);
    {
        Engine warm;
        connections.open(warm, false);
    }
    // Every allocation of our own made before the first reading.
    std::vector<std::unique_ptr<Engine>> engines;
    engines.reserve(static_cast<std::size_t>(pairs));
    for (int i = 0; i < pairs; ++i) engines.push_back(std::make_unique<Engine>());
    const AllocCount count_before = allocation_count();
    const double heap_before = heap_in_use();
    const double rss_before = status_bytes("VmRSS");
    const double hwm_before = status_bytes("VmHWM");
    for (auto& engine : engines) connections.open(*engine, false);
    const AllocCount count_after = allocation_count();
    PairsMemory m;
    const double n = pairs;
    m.pairs = pairs;
    m.heap_bytes = (heap_in_use() - heap_before) / n;
    m.rss_bytes = (status_bytes("VmRSS") - rss_before) / n;
    m.hwm_bytes = (status_bytes("VmHWM") - hwm_before) / n;
    m.live_bytes = static_cast<double>(count_after.live_bytes - count_before.live_bytes) / n;
    m.live_blocks = static_cast<double>(count_after.live_blocks - count_before.live_blocks) / n;
    return m;
}

PairsMemory hold_pairs_in_child(const Case& c, int pairs) {
    int fds[2];
    if (pipe(fds) != 0) throw Error(kFailure, "bench: cannot make a pipe for the memory child");
    const pid_t pid = fork();
    if (pid < 0) throw Error(kFailure, "bench: cannot fork the memory child");
    if (pid == 0) {
        close(fds[0]);
        int code = 0;
        try {
            const PairsMemory m = hold_pairs(c, pairs);
            code = write(fds[1], &m, sizeof m) == static_cast<ssize_t>(sizeof m) ? 0 : 1;
        } catch (const Error& e) {
            const std::string message = e.what();
            code = write(fds[1], message.data(), message.size()) > 0 ? 2 : 1;
        }
        _exit(code);
    }
    close(fds[1]);
    int status = 0;
    const std::string bytes = read_until_exit(fds[0], pid, status);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || bytes.size() != sizeof(PairsMemory)) {
        if (WIFEXITED(status) && WEXITSTATUS(status) == 2) throw Error(kFailure, bytes);
        throw Error(kFailure, fmt::format("{}: the process holding {} pairs failed", c.name(), pairs));
    }
    PairsMemory m;
    std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char*>(&m));
    return m;
}

}  // namespace sslfeatures::bench
