// Why a handshake failed, in one line and one exit code: the difference between
// "wrong host name" and "the peer speaks HTTP" is the whole point of a report.
#pragma once

#include <bitset>
#include <string>

#include <openssl/ssl.h>

#include "util/error.hpp"
#include "util/openssl_text.hpp"

namespace sslfeatures::tls {


// The reason of the first error OpenSSL queued, as words ("no protocols
// available"), or `fallback` when the queue is empty. Clears the queue.
std::string first_error_reason(const char* fallback);

// What the peer sent during the handshake, as far as a failure needs it: its
// first record header, so a peer that answers in plain text (HTTP, SMTP ...)
// can be named as such, and which handshake messages went by in each
// direction, so an alert can be read by when it came (a handshake_failure
// after the ServerHello is not about the suites). Install before the handshake.
class PeerMessages {
  public:
    void install(SSL* ssl);
    bool seen() const { return size_ > 0; }
    bool looks_like_tls() const;
    std::string printable() const;  // the first bytes, with non-printing ones escaped
    // SSL3_MT_* types: the peer sent it, or we did.
    bool received(int handshake_type) const { return received_[handshake_type & 0xff]; }
    bool sent(int handshake_type) const { return sent_[handshake_type & 0xff]; }
    // A ServerHello went by, either way: version and suite are agreed.
    bool suite_agreed() const { return received(SSL3_MT_SERVER_HELLO) || sent(SSL3_MT_SERVER_HELLO); }

  private:
    static void on_message(int write_p, int version, int content_type, const void* buf,
                           size_t len, SSL* ssl, void* arg);
    unsigned char bytes_[5] = {};
    size_t size_ = 0;
    std::bitset<256> received_;
    std::bitset<256> sent_;
};

// Turns a failed SSL_connect/SSL_accept (its return value `ret`) into an
// error with the cause's exit code. `peer` names the other side in messages;
// `presented` is the certificate it showed, if any (OpenSSL forgets it when
// verification fails).
Error handshake_error(SSL* ssl, int ret, const PeerMessages& messages, const std::string& peer,
                           X509* presented = nullptr);

}  // namespace sslfeatures::tls
