#include "support/servers.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace sslfeatures::testing {

using namespace std::chrono_literals;

// --- Programs ---------------------------------------------------------------------

bool under_ci() {
    const char* ci = std::getenv("CI");
    return ci != nullptr && std::string(ci) == "true";
}

std::string find_program(const std::string& name) {
    std::vector<std::string> dirs;
    if (const char* path = std::getenv("PATH")) {
        std::stringstream in(path);
        for (std::string d; std::getline(in, d, ':');) dirs.push_back(d.empty() ? "." : d);
    }
    // Debian installs nginx in /usr/sbin, which an unprivileged user's PATH
    // often lacks; the program runs fine from there without root.
    dirs.insert(dirs.end(), {"/usr/sbin", "/sbin"});
    for (const std::string& d : dirs) {
        const std::string candidate = d + "/" + name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return "";
}

std::string missing_programs(const std::vector<std::string>& names) {
    std::string missing;
    for (const std::string& n : names) {
        if (!find_program(n).empty()) continue;
        missing += (missing.empty() ? "" : ", ") + n;
    }
    if (missing.empty()) return "";
    return "not installed: " + missing + " (scripts/install-deps.sh installs it)";
}

// --- Certificates -----------------------------------------------------------------

namespace {

void openssl_in(const std::string& dir, const std::vector<std::string>& args) {
    // Relative file names land in dir; bounded so a hang fails rather than stalls.
    std::vector<std::string> argv{"sh", "-c", "cd \"$0\" && exec timeout 60 openssl \"$@\"", dir};
    argv.insert(argv.end(), args.begin(), args.end());
    Result r = run(argv);
    if (r.exit_code != 0) throw std::runtime_error("openssl " + args[0] + " failed: " + r.err);
}

}  // namespace

const ServerCerts& ServerCerts::get() {
    static ServerCerts certs;
    return certs;
}

ServerCerts::~ServerCerts() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
}

ServerCerts::ServerCerts() {
    std::string pattern = (std::filesystem::temp_directory_path() / "sslfeatures-servercerts.XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir = pattern;
    // nginx's workers may run as another user than the test (see
    // render_conf); they never read these files, but keep them readable so
    // that a server started under another user can.
    ::chmod(dir.c_str(), 0755);
    openssl_in(dir, {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                     "-keyout", "ca.key", "-out", "ca.crt", "-days", "30", "-subj", "/CN=sslfeatures server test CA",
                     "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"});
    ca = dir + "/ca.crt";
    write_file(dir + "/leaf.ext",
               "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nbasicConstraints=CA:FALSE\n"
               "extendedKeyUsage=serverAuth\n");
    auto leaf = [&](const std::string& name, const std::vector<std::string>& newkey) {
        std::vector<std::string> req{"req"};
        req.insert(req.end(), newkey.begin(), newkey.end());
        req.insert(req.end(), {"-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + name});
        openssl_in(dir, req);
        openssl_in(dir, {"x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                         "-out", name + ".crt", "-days", "30", "-sha256", "-extfile", "leaf.ext"});
        CertKey c{dir + "/" + name + ".crt", dir + "/" + name + ".key", dir + "/" + name + ".pem", name};
        write_file(c.pem, read_file(c.cert) + read_file(c.key));
        return c;
    };
    rsa = leaf("localhost-rsa", {"-newkey", "rsa:2048"});
    ecdsa = leaf("localhost-ecdsa", {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"});
}

// --- Probes -----------------------------------------------------------------------

namespace {

// A TCP connection to 127.0.0.1:port within `timeout`; -1 when refused or late.
int connect_loopback(int port, std::chrono::milliseconds timeout, std::string* why) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        if (why) *why = std::string("socket: ") + std::strerror(errno);
        return -1;
    }
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    if (rc != 0 && errno == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        int err = 0;
        socklen_t len = sizeof err;
        if (::poll(&p, 1, static_cast<int>(timeout.count())) == 1 &&
            ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0) {
            rc = err == 0 ? 0 : -1;
            errno = err;
        } else {
            errno = ETIMEDOUT;
        }
    }
    if (rc != 0) {
        if (why) *why = std::string("connect: ") + std::strerror(errno);
        ::close(fd);
        return -1;
    }
    // Blocking from here, each read and write bounded by the timeout.
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return fd;
}

}  // namespace

bool port_accepts(int port) {
    int fd = connect_loopback(port, 1000ms, nullptr);
    if (fd < 0) return false;
    ::close(fd);
    return true;
}

bool tls_handshake_succeeds(int port, std::chrono::milliseconds timeout, std::string* why) {
    int fd = connect_loopback(port, timeout, why);
    if (fd < 0) return false;
    // Anything the server may be configured with must pass: every version,
    // every suite at security level 0, no verification. Whether it is the
    // configured thing is for the tests to check, not for readiness.
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_security_level(ctx, 0);
    SSL_CTX_set_min_proto_version(ctx, 0);
    SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    SSL_set_tlsext_host_name(ssl, "localhost");
    ERR_clear_error();
    const bool ok = SSL_connect(ssl) == 1;
    if (!ok && why) {
        char buf[256] = "handshake failed";
        if (unsigned long e = ERR_get_error()) ERR_error_string_n(e, buf, sizeof buf);
        *why = buf;
    }
    if (ok) SSL_shutdown(ssl);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    ::close(fd);
    return ok;
}

// --- The base ---------------------------------------------------------------------

TlsServer::TlsServer(std::string name, int stop_signal) : name_(std::move(name)), stop_signal_(stop_signal) {}

TlsServer::~TlsServer() { stop(); }

std::string TlsServer::log() {
    std::string text;
    if (proc_) {
        proc_->read_available();
        text = proc_->output();
    }
    return text + extra_log();
}

bool TlsServer::running() { return proc_ && exit_code_ < 0 && proc_->wait(0ms) < 0; }

int TlsServer::stop() {
    if (!proc_) return exit_code_;
    if (exit_code_ < 0) exit_code_ = proc_->stop(stop_signal_, 5s);
    return exit_code_;
}

void TlsServer::start(const std::function<std::vector<std::string>(int port)>& argv_for,
                      const std::optional<std::regex>& port_line) {
    const auto deadline = std::chrono::steady_clock::now() + kStartDeadline;
    auto left = [&] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    };
    std::string failure;
    // Only a port we chose can be taken by someone else between free_port()
    // and the program's bind(): then a few more tries with fresh ports.
    for (int attempt = 1; attempt <= 4; ++attempt) {
        int port = port_line ? 0 : free_port();
        argv_ = argv_for(port);
        exit_code_ = -1;
        proc_ = std::make_unique<Background>(argv_);
        if (port_line) {
            const std::string printed = proc_->wait_for(*port_line, std::max(left(), 1ms));
            port = printed.empty() ? 0 : std::stoi(printed);
        }
        port_ = port;
        std::string why = "it printed no port";
        while (port_ != 0 && left().count() > 0) {
            if (!running()) {
                why = "it exited with code " + std::to_string(proc_->wait(0ms));
                break;
            }
            if (tls_handshake_succeeds(port_, std::min<std::chrono::milliseconds>(left(), 2000ms), &why)) return;
            std::this_thread::sleep_for(50ms);
        }
        const std::string output = log();
        stop();
        failure = name_ + " (" + argv_[0] + ") did not become ready on port " + std::to_string(port_) + ": " + why +
                  "\n--- its output ---\n" + output;
        const bool port_taken = output.find("in use") != std::string::npos;
        if (port_line || !port_taken || left().count() <= 0) break;
    }
    throw ServerError(failure);
}

// --- nginx ------------------------------------------------------------------------

namespace {

std::string on_off(bool b) { return b ? "on" : "off"; }

std::string join(const std::vector<std::string>& items, const std::string& sep) {
    std::string out;
    for (const std::string& i : items) out += (out.empty() ? "" : sep) + i;
    return out;
}

}  // namespace

std::string NginxServer::render_conf(const NginxConfig& c, int port, const std::string& dir) {
    std::ostringstream s;
    // In the foreground, so the test owns the process (and its group) and
    // stopping it needs no pid file.
    s << "daemon off;\n";
    s << "master_process " << on_off(c.master_process) << ";\n";
    s << "worker_processes 1;\n";
    // As root (CI), nginx's workers would switch to the compiled-in user
    // (nobody, or www-data) and then fail on the private 0700 temp directory
    // (client bodies, logs reopened). Keep them as the user that started
    // nginx. As anyone else nginx cannot switch and the directive would only
    // draw a warning, so it is left out.
    if (::geteuid() == 0) {
        const passwd* pw = ::getpwuid(::geteuid());
        const group* gr = ::getgrgid(::getegid());
        if (pw != nullptr && gr != nullptr) s << "user " << pw->pw_name << " " << gr->gr_name << ";\n";
    }
    // Every file nginx writes lives in the test's directory: never
    // /run/nginx.pid, /var/log/nginx or /var/lib/nginx.
    s << "pid " << dir << "/nginx.pid;\n";
    s << "lock_file " << dir << "/nginx.lock;\n";
    s << "error_log " << dir << "/error.log info;\n";
    s << "events { worker_connections 256; }\n";
    s << "http {\n";
    s << "  access_log " << dir << "/access.log;\n";
    for (const char* t : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"})
        s << "  " << t << "_temp_path " << dir << "/" << t << ";\n";
    s << "  server {\n";
    s << "    listen 127.0.0.1:" << port << " ssl;\n";
    s << "    server_name localhost;\n";
    const ServerCerts& certs = ServerCerts::get();
    // Two certificates: OpenSSL picks by the client's signature algorithms.
    if (c.rsa_certificate) s << "    ssl_certificate " << certs.rsa.cert << ";\n    ssl_certificate_key " << certs.rsa.key << ";\n";
    if (c.ecdsa_certificate)
        s << "    ssl_certificate " << certs.ecdsa.cert << ";\n    ssl_certificate_key " << certs.ecdsa.key << ";\n";
    if (!c.protocols.empty()) s << "    ssl_protocols " << join(c.protocols, " ") << ";\n";
    if (!c.ciphers.empty()) s << "    ssl_ciphers " << c.ciphers << ";\n";
    s << "    ssl_prefer_server_ciphers " << on_off(c.prefer_server_ciphers) << ";\n";
    if (!c.ecdh_curve.empty()) s << "    ssl_ecdh_curve " << c.ecdh_curve << ";\n";
    s << "    ssl_session_tickets " << on_off(c.session_tickets) << ";\n";
    if (!c.session_cache.empty()) s << "    ssl_session_cache " << c.session_cache << ";\n";
    s << "    ssl_stapling " << on_off(c.stapling) << ";\n";
    // ssl_ciphers reaches TLS 1.2 and below only; TLS 1.3 suites are an
    // OpenSSL configuration command.
    if (!c.tls13_ciphersuites.empty()) s << "    ssl_conf_command Ciphersuites " << c.tls13_ciphersuites << ";\n";
    for (const auto& [name, value] : c.conf_commands) s << "    ssl_conf_command " << name << " " << value << ";\n";
    if (!c.extra.empty()) s << "    " << c.extra << "\n";
    s << "    location / { return 200 \"ok\\n\"; }\n";
    s << "  }\n";
    s << "}\n";
    return s.str();
}

NginxServer::NginxServer(NginxConfig config) : TlsServer("nginx", SIGTERM), config_(std::move(config)) {
    const std::string nginx = find_program("nginx");
    if (nginx.empty()) throw ServerError(missing_programs({"nginx"}));
    const std::string conf = dir_.path() + "/nginx.conf";
    start([&](int port) {
        conf_text_ = render_conf(config_, port, dir_.path());
        write_file(conf, conf_text_);
        // -e: errors before the configuration is read go there too, not to
        // the compiled-in log; -p: relative paths resolve in our directory.
        return std::vector<std::string>{nginx, "-p", dir_.path() + "/", "-c", conf, "-e", dir_.path() + "/error.log"};
    });
}

NginxServer::~NginxServer() { stop(); }

std::string NginxServer::extra_log() {
    return "--- nginx error.log ---\n" + read_file(dir_.path() + "/error.log") + "--- nginx.conf ---\n" + conf_text_;
}

// --- openssl s_server -------------------------------------------------------------

OpensslServer::OpensslServer(const CertKey& cert, std::vector<std::string> args) : TlsServer("openssl s_server") {
    for (std::size_t i = 0; i + 1 < args.size(); ++i) {
        if (args[i] == "-naccept") args[i + 1] = std::to_string(std::stoi(args[i + 1]) + 1);
    }
    start(
        [&](int) {
            std::vector<std::string> argv{"openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", cert.cert, "-key",
                                          cert.key};
            argv.insert(argv.end(), args.begin(), args.end());
            return argv;
        },
        std::regex("ACCEPT [^\\n]*:(\\d+)\\n"));
}

// --- gnutls-serv ------------------------------------------------------------------

GnutlsServer::GnutlsServer(const CertKey& cert, std::vector<std::string> args) : TlsServer("gnutls-serv") {
    start([&](int port) {
        std::vector<std::string> argv{"gnutls-serv", "--x509certfile", cert.cert, "--x509keyfile", cert.key, "-p",
                                      std::to_string(port)};
        argv.insert(argv.end(), args.begin(), args.end());
        return argv;
    });
}

// --- sslfeatures server -------------------------------------------------------------

const std::regex& SslfeaturesServer::listening_line() {
    static const std::regex re("Listening at interface '[^']*' and port (\\d+)\\n");
    return re;
}

SslfeaturesServer::SslfeaturesServer(const std::string& pem, std::vector<std::string> args)
    : TlsServer("sslfeatures server") {
    start(
        [&](int) {
            std::vector<std::string> argv{env_or_fail("SSLFEATURES_BIN"), "server", "127.0.0.1", "0", "-s", pem};
            argv.insert(argv.end(), args.begin(), args.end());
            return argv;
        },
        listening_line());
}

}  // namespace sslfeatures::testing
