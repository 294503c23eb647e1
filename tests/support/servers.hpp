// Real TLS servers that a test starts and stops itself: nginx, openssl
// s_server, gnutls-serv and our own `sslfeatures server`, each on a free
// loopback port, each ready only once a real TLS handshake with it succeeds,
// each stopped (and its port closed) when the object goes away. Tests of what
// a scanner finds compare its findings with the configuration a server was
// started with, so that configuration is known and kept here.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/process.hpp"

namespace sslfeatures::testing {

// --- Programs the servers need ------------------------------------------------

// CI=true: everything scripts/install-deps.sh installs must be there, so a
// missing program fails the test instead of skipping it.
bool under_ci();

// The path of `name` from PATH, then /usr/sbin and /sbin (where Debian puts
// nginx, outside an ordinary user's PATH); "" when none has it.
std::string find_program(const std::string& name);

// "" when every program is there, else why not ("nginx is not installed (...)").
std::string missing_programs(const std::vector<std::string>& names);

// In a test body: skip the test when a program is missing, or fail it under
// CI=true, with the reason either way.
#define SF_REQUIRE_PROGRAMS(...)                                                               \
    do {                                                                                       \
        const std::string sf_missing_ = ::sslfeatures::testing::missing_programs({__VA_ARGS__}); \
        if (!sf_missing_.empty()) {                                                            \
            if (::sslfeatures::testing::under_ci()) GTEST_FAIL() << sf_missing_ << " (CI=true)"; \
            GTEST_SKIP() << sf_missing_;                                                       \
        }                                                                                      \
    } while (0)

// --- Certificates ----------------------------------------------------------------

// One certificate and its key, as PEM files.
struct CertKey {
    std::string cert;
    std::string key;
    std::string pem;         // certificate then key in one file (sslfeatures server -s)
    std::string subject_cn;  // the subject's CN, to tell which one a peer sent
};

// A test CA (ECDSA P-256) and two leaves it issued for localhost, 127.0.0.1
// and ::1: RSA-2048 (CN localhost-rsa) and ECDSA P-256 (CN localhost-ecdsa).
// Made once per test program with the openssl command, as support/certs does.
class ServerCerts {
  public:
    static const ServerCerts& get();
    ~ServerCerts();

    std::string dir;
    std::string ca;  // the CA certificate, to verify either leaf
    CertKey rsa;
    CertKey ecdsa;

  private:
    ServerCerts();
};

// --- The common base -------------------------------------------------------------

// Why a server could not be started; its message holds the program's output.
struct ServerError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A TLS server program in the background. Constructors of the subclasses
// start it and return once a handshake with it succeeded, or throw
// ServerError (with the program's output) after a bounded wait.
class TlsServer {
  public:
    virtual ~TlsServer();
    TlsServer(const TlsServer&) = delete;
    TlsServer& operator=(const TlsServer&) = delete;

    int port() const { return port_; }
    // "127.0.0.1:PORT", what a scanner or s_client connects to.
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
    // What the program printed (stdout and stderr) so far, plus its own log
    // files when it writes any: for failure messages.
    std::string log();
    // The argv it was started with.
    const std::vector<std::string>& argv() const { return argv_; }
    // The process itself, for tests that wait for what it prints.
    Background& process() { return *proc_; }
    bool running();
    // Stops it: `signal` to its process group, a bounded wait, then SIGKILL.
    // Returns its exit code (128 + signal when a signal ended it). Idempotent;
    // the destructor calls it.
    int stop();

    // How long a start may take before ServerError: a busy 2-core machine
    // starts nginx in well under a second.
    static constexpr std::chrono::seconds kStartDeadline{15};

  protected:
    explicit TlsServer(std::string name, int stop_signal = 15);

    // Starts the program `argv_for(port)` makes and waits until it completes
    // a TLS handshake. With `port_line`, the program picks its own port (it is
    // given 0) and prints it; the regex's first group reads it. Without, a
    // free port is chosen here and, should another process take it first (the
    // program then says "in use"), the start is retried with a new one.
    void start(const std::function<std::vector<std::string>(int port)>& argv_for,
               const std::optional<std::regex>& port_line = std::nullopt);

    // Extra text log() appends (nginx's error log file).
    virtual std::string extra_log() { return {}; }

  private:
    std::string name_;
    int stop_signal_;
    int port_ = 0;
    std::vector<std::string> argv_;
    std::unique_ptr<Background> proc_;
    int exit_code_ = -1;
};

// A TLS handshake with 127.0.0.1:port that accepts any version, suite and
// certificate (nothing verified): whether the server is serving TLS.
// `why` receives the reason on failure.
bool tls_handshake_succeeds(int port, std::chrono::milliseconds timeout, std::string* why = nullptr);

// Whether anything accepts TCP connections on 127.0.0.1:port.
bool port_accepts(int port);

// --- nginx -----------------------------------------------------------------------

// What an NginxServer is configured with; every field becomes one directive of
// the generated nginx.conf (an empty string leaves nginx's own default).
struct NginxConfig {
    std::vector<std::string> protocols{"TLSv1.2", "TLSv1.3"};  // ssl_protocols
    bool rsa_certificate = true;                               // the RSA-2048 leaf
    bool ecdsa_certificate = true;                             // the ECDSA P-256 leaf
    std::string ciphers;             // ssl_ciphers: the TLS 1.2 suites, in order
    bool prefer_server_ciphers = false;  // ssl_prefer_server_ciphers
    std::string ecdh_curve;          // ssl_ecdh_curve: the groups, "X25519:prime256v1"
    std::string tls13_ciphersuites;  // ssl_conf_command Ciphersuites
    bool session_tickets = true;     // ssl_session_tickets
    std::string session_cache = "shared:SSL:1m";  // ssl_session_cache
    bool stapling = false;           // ssl_stapling
    std::vector<std::pair<std::string, std::string>> conf_commands;  // more ssl_conf_command
    std::string extra;               // raw directives appended inside server {}
    bool master_process = true;      // one master and one worker, as nginx usually runs
};

// Debian's nginx (nginx-light) as the current user, everything it writes in
// its own temporary directory (pid, logs, temp paths): never /var/log/nginx
// or /run, no root needed. Serves "ok" over HTTPS at /.
class NginxServer : public TlsServer {
  public:
    explicit NginxServer(NginxConfig config = {});
    ~NginxServer() override;

    const NginxConfig& config() const { return config_; }
    // The nginx.conf it runs with.
    const std::string& conf_text() const { return conf_text_; }
    const std::string& dir() const { return dir_.path(); }

    // The configuration file for `config` on `port`, with its files in `dir`.
    static std::string render_conf(const NginxConfig& config, int port, const std::string& dir);

  protected:
    std::string extra_log() override;

  private:
    NginxConfig config_;
    TempDir dir_;
    std::string conf_text_;
};

// --- openssl s_server ------------------------------------------------------------

// `openssl s_server -accept 127.0.0.1:0 -cert C -key K ARGS...` (the openssl
// from PATH). It picks its own port and prints it, so no race. The readiness
// handshake is one of its connections: a "-naccept N" in `args` is raised to
// N + 1 so that the test still gets its N.
class OpensslServer : public TlsServer {
  public:
    explicit OpensslServer(const CertKey& cert, std::vector<std::string> args = {});
};

// --- gnutls-serv -----------------------------------------------------------------

// `gnutls-serv --x509certfile C --x509keyfile K -p PORT ARGS...`; `args` hold
// --priority and the mode (--echo, or nothing for its HTTP page; --http is
// its default).
class GnutlsServer : public TlsServer {
  public:
    explicit GnutlsServer(const CertKey& cert, std::vector<std::string> args = {"--echo"});
};

// --- sslfeatures server ------------------------------------------------------------

// The binary under test ($SSLFEATURES_BIN) as `sslfeatures server 127.0.0.1 0
// -s PEM ARGS...`, which prints the port it bound. `pem` holds certificate and
// key (support/certs makes such files). Not for --once: the readiness
// handshake would be its one connection.
class SslfeaturesServer : public TlsServer {
  public:
    explicit SslfeaturesServer(const std::string& pem, std::vector<std::string> args = {});
    // What it prints once listening; group 1 is the port.
    static const std::regex& listening_line();
};

}  // namespace sslfeatures::testing
