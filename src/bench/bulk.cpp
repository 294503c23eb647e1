#include "bench/bulk.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>
#include <openssl/err.h>

#include "bench/collector.hpp"
#include "bench/cpu_clock.hpp"
#include "tls/errors.hpp"

namespace sslfeatures::bench {
namespace {

constexpr std::size_t kBurstBytes = 256 * 1024;
constexpr int kRounds = 9;
constexpr unsigned kServerHello = 2;
constexpr unsigned kEncryptThenMac = 22;  // RFC 7366's extension number

// Enough for a burst of payloads on the wire: per record at most a header,
// an explicit IV, a MAC and padding.
std::size_t buffer_for(std::size_t payload, std::size_t burst) {
    const std::size_t records = payload / 16384 + 1;
    return burst * (payload + records * 128) + 16384;
}

unsigned read_be(const unsigned char* p, int bytes) {
    unsigned v = 0;
    for (int i = 0; i < bytes; ++i) v = v << 8 | p[i];
    return v;
}

// Whether a ServerHello (handshake header included) lists encrypt_then_mac.
bool lists_etm(const unsigned char* msg, std::size_t len) {
    std::size_t at = 4 + 2 + 32;  // header, version, random
    if (len < at + 1) return false;
    at += 1 + msg[at] + 2 + 1;    // session ID, suite, compression
    if (len < at + 2) return false;
    const std::size_t end = std::min(len, at + 2 + read_be(msg + at, 2));
    for (at += 2; at + 4 <= end; at += 4 + read_be(msg + at + 2, 2)) {
        if (read_be(msg + at, 2) == kEncryptThenMac) return true;
    }
    return false;
}

// The client's message callback: notes what the ServerHello agreed.
void watch_server_hello(int write_p, int, int content_type, const void* buf, std::size_t len, SSL*, void* arg) {
    const auto* msg = static_cast<const unsigned char*>(buf);
    if (write_p != 0 || content_type != SSL3_RT_HANDSHAKE || len < 4 || msg[0] != kServerHello) return;
    *static_cast<bool*>(arg) = lists_etm(msg, len);
}

// What a read of the thread CPU clock itself costs, taken off each interval.
double clock_cost_ns() {
    double best = 1e9;
    for (int i = 0; i < 16; ++i) {
        const double a = thread_cpu_ns();
        best = std::min(best, thread_cpu_ns() - a);
    }
    return best;
}

}  // namespace

BulkPair::BulkPair(const BulkCase& c)
    : case_(c),
      burst_(std::max<std::size_t>(1, kBurstBytes / c.payload)),
      pair_(c.handshake, Transport::memory, buffer_for(c.payload, burst_)),
      sent_(c.payload),
      received_(c.payload) {
    for (std::size_t i = 0; i < sent_.size(); ++i) sent_[i] = static_cast<unsigned char>(i * 31 + 7);
}

std::string BulkPair::etm_mismatch() const {
    const bool named = case_.cbc && case_.handshake.encrypt_then_mac;
    if (server_agreed_etm_ == named) return "";
    return fmt::format("{}: the server {} encrypt-then-MAC", case_.name(), server_agreed_etm_ ? "agreed to" : "refused");
}

std::string BulkPair::prime() {
    SSL_CTX_set_msg_callback(pair_.client_ctx(), watch_server_hello);
    SSL_CTX_set_msg_callback_arg(pair_.client_ctx(), &server_agreed_etm_);
    if (std::string wrong = pair_.prime(); !wrong.empty()) return wrong;
    // A message callback also runs on every record: not in the timed loop.
    SSL_set_msg_callback(pair_.client(), nullptr);
    // The engine marks each handshake's connection closed (so that sessions
    // survive for resumption); this one goes on carrying data.
    SSL_set_shutdown(pair_.client(), 0);
    SSL_set_shutdown(pair_.server(), 0);
    if (std::string wrong = etm_mismatch(); !wrong.empty()) return wrong;
    const auto before = BIO_number_written(SSL_get_wbio(pair_.client()));
    if (!write_one()) return error_;
    wire_per_byte_ = static_cast<double>(BIO_number_written(SSL_get_wbio(pair_.client())) - before) /
                     static_cast<double>(case_.payload);
    if (!read_one()) return error_;
    if (std::string wrong = check_last(); !wrong.empty()) return wrong;
    for (std::size_t i = 0; i < burst_; ++i) {
        if (!write_one()) return error_;
    }
    const std::uint64_t last = sequence_;
    for (std::size_t i = 0; i < burst_; ++i) {
        sequence_ = last - burst_ + i + 1;  // the stamp this payload was sent with
        std::memcpy(sent_.data(), &sequence_, std::min(sent_.size(), sizeof sequence_));
        if (!read_one()) return error_;
        if (std::string wrong = check_last(); !wrong.empty()) return wrong;
    }
    return "";
}

bool BulkPair::write_one() {
    ++sequence_;
    std::memcpy(sent_.data(), &sequence_, std::min(sent_.size(), sizeof sequence_));
    std::size_t written = 0;
    if (SSL_write_ex(pair_.client(), sent_.data(), sent_.size(), &written) != 1 || written != sent_.size()) {
        error_ = fmt::format("{}: a write failed: {}", case_.name(), tls::first_error_reason("the transport is full"));
        return false;
    }
    return true;
}

bool BulkPair::read_one() {
    std::size_t got = 0;
    while (got < received_.size()) {
        std::size_t n = 0;
        if (SSL_read_ex(pair_.server(), received_.data() + got, received_.size() - got, &n) != 1) {
            error_ = fmt::format("{}: a read failed after {} of {} bytes: {}", case_.name(), got, received_.size(),
                                 tls::first_error_reason("no more data"));
            return false;
        }
        got += n;
    }
    return true;
}

bool BulkPair::transfer() {
    return write_one() && read_one();
}

std::string BulkPair::check_last() const {
    if (received_ == sent_) return "";
    const auto at = std::mismatch(sent_.begin(), sent_.end(), received_.begin()).first - sent_.begin();
    return fmt::format("{}: payload {} arrived altered from byte {} on", case_.name(), sequence_, at);
}

SideCosts BulkPair::side_costs() {
    const double clock = clock_cost_ns();
    std::vector<double> send;
    std::vector<double> receive;
    for (int round = 0; round < kRounds; ++round) {
        const double start = thread_cpu_ns();
        for (std::size_t i = 0; i < burst_; ++i) {
            if (!write_one()) return {};
        }
        const double written = thread_cpu_ns();
        for (std::size_t i = 0; i < burst_; ++i) {
            if (!read_one()) return {};
        }
        const double read = thread_cpu_ns();
        send.push_back((written - start - clock) / static_cast<double>(burst_));
        receive.push_back((read - written - clock) / static_cast<double>(burst_));
    }
    return {median(send), median(receive)};
}

}  // namespace sslfeatures::bench
