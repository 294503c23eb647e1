#include "tls/errors.hpp"

#include <cctype>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "reflect/catalogue.hpp"
#include "tls/peer_names.hpp"

namespace sslfeatures::tls {
namespace {


ExitCode code_for_verify_error(long v) {
    switch (v) {
        case X509_V_ERR_HOSTNAME_MISMATCH:
        case X509_V_ERR_IP_ADDRESS_MISMATCH:
        case X509_V_ERR_EMAIL_MISMATCH: return kNameMismatch;
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN: return kSelfSigned;
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        case X509_V_ERR_CERT_UNTRUSTED: return kUnknownCa;
        case X509_V_ERR_CERT_HAS_EXPIRED: return kExpired;
        case X509_V_ERR_CERT_NOT_YET_VALID: return kNotYetValid;
        default: return kVerifyFailed;
    }
}

// The cause in our words (stable across OpenSSL releases), then OpenSSL's.
std::string verify_cause(ExitCode code) {
    switch (code) {
        case kNameMismatch: return "the certificate is not for this host";
        case kUnknownCa: return "the certificate was issued by a CA that is not trusted (try -a)";
        case kSelfSigned: return "the certificate is self-signed and not trusted (try -a)";
        case kExpired: return "the certificate has expired";
        case kNotYetValid: return "the certificate is not valid yet";
        default: return "the certificate was refused";
    }
}

Error verify_error(X509* presented, long v, const std::string& peer) {
    const ExitCode code = code_for_verify_error(v);
    std::string detail = X509_verify_cert_error_string(v);
    if (code == kNameMismatch) {
        std::vector<std::string> names = certificate_names(presented).all();
        detail += names.empty() ? "; it names no host"
                                : fmt::format("; it is for {}", fmt::join(names, ", "));
    }
    return Error(code, fmt::format("certificate verification failed for {}: {} ({})", peer,
                                   verify_cause(code), detail));
}

// OpenSSL 3.0 names no alert newer than TLS 1.2 ("unknown" for TLS 1.3's
// certificate_required); the headers' SSL_AD_* constants name them all.
std::string alert_name(int alert) {
    std::string name = SSL_alert_desc_string_long(alert);
    if (name != "unknown") return name;
    for (const reflect::CategoryRule& rule : reflect::category_rules()) {
        if (rule.id != "alerts") continue;
        for (const reflect::Constant& c : rule.constants) {
            if (c.value != reflect::Value{static_cast<std::uint64_t>(alert), false}) continue;
            std::string text(c.name.substr(std::string_view("SSL_AD_").size()));
            for (char& ch : text) ch = ch == '_' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            return text;
        }
    }
    return fmt::format("alert {}", alert);
}

// A handshake_failure names no cause; when it came tells. Before the
// ServerHello the peer found nothing acceptable in our hello (suites, groups,
// versions); after it, the suite was agreed and the peer refused something
// else: most often a client without the certificate the server asked for.
Error handshake_failure(SSL* ssl, const PeerMessages& messages, const std::string& peer,
                        const std::string& name) {
    if (!messages.suite_agreed()) {
        return Error(kCipherMismatch,
                     fmt::format("{} refused the handshake (alert: {}); usually no cipher suite "
                                 "or group in common (try --cipher or --groups)", peer, name));
    }
    const bool asked_for_certificate = messages.received(SSL3_MT_CERTIFICATE_REQUEST);
    if (asked_for_certificate && SSL_get_certificate(ssl) == nullptr) {
        return Error(kPeerRejected,
                     fmt::format("{} refused the handshake (alert: {}): it asked for a client "
                                 "certificate and we had none to present (try -c CERT.pem)", peer, name));
    }
    if (asked_for_certificate) {
        return Error(kPeerRejected,
                     fmt::format("{} refused the handshake (alert: {}) after asking for our "
                                 "certificate: it does not accept the one we presented", peer, name));
    }
    return Error(kPeerRejected,
                 fmt::format("{} refused the handshake (alert: {}) after the suite was agreed", peer, name));
}

// Alerts arrive as reason codes SSL_AD_REASON_OFFSET + the alert number.
Error alert_error(SSL* ssl, int alert, const PeerMessages& messages, const std::string& peer) {
    const std::string name = alert_name(alert);
    switch (alert) {
        case SSL_AD_PROTOCOL_VERSION:
            return Error(kProtocolMismatch,
                         fmt::format("{} accepts none of our protocol versions (alert: {}; try -p)", peer, name));
        case SSL_AD_HANDSHAKE_FAILURE:
        case SSL_AD_INSUFFICIENT_SECURITY:
            return handshake_failure(ssl, messages, peer, name);
        default:
            return Error(kPeerRejected, fmt::format("{} refused the connection (alert: {})", peer, name));
    }
}

}  // namespace

std::string first_error_reason(const char* fallback) {
    const unsigned long code = ERR_peek_error();
    const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
    std::string text = reason != nullptr ? reason : fallback;
    ERR_clear_error();
    return text;
}

void PeerMessages::install(SSL* ssl) {
    SSL_set_msg_callback(ssl, on_message);
    SSL_set_msg_callback_arg(ssl, this);
}

void PeerMessages::on_message(int write_p, int, int content_type, const void* buf, size_t len, SSL*,
                              void* arg) {
    auto* self = static_cast<PeerMessages*>(arg);
    const auto* bytes = static_cast<const unsigned char*>(buf);
    if (content_type == SSL3_RT_HANDSHAKE && len > 0) {
        (write_p != 0 ? self->sent_ : self->received_).set(bytes[0]);
        return;
    }
    if (write_p != 0 || content_type != SSL3_RT_HEADER || self->size_ > 0) return;
    self->size_ = std::min(len, sizeof self->bytes_);
    std::memcpy(self->bytes_, bytes, self->size_);
}

bool PeerMessages::looks_like_tls() const {
    // A record starts with a content type (20..24) and major version 3.
    return size_ < 2 || (bytes_[0] >= 20 && bytes_[0] <= 24 && bytes_[1] == 3);
}

std::string PeerMessages::printable() const {
    std::string out;
    for (size_t i = 0; i < size_; ++i) {
        unsigned char c = bytes_[i];
        out += (c >= 0x20 && c < 0x7f && c != '\'') ? std::string(1, static_cast<char>(c))
                                                    : fmt::format("\\x{:02x}", c);
    }
    return out;
}

Error handshake_error(SSL* ssl, int ret, const PeerMessages& messages, const std::string& peer,
                      X509* presented) {
    const int ssl_error = SSL_get_error(ssl, ret);
    const int saved_errno = errno;
    const unsigned long e = ERR_peek_last_error();
    const int reason = ERR_GET_REASON(e);

    if (messages.seen() && !messages.looks_like_tls()) {
        ERR_clear_error();
        return Error(kNotTls, fmt::format("{} does not speak TLS: it sent '{}'{}", peer,
                                               messages.printable(),
                                               messages.printable().rfind("HTTP", 0) == 0
                                                   ? " (a plain HTTP server?)" : ""));
    }
    if (long v = SSL_get_verify_result(ssl); v != X509_V_OK && reason == SSL_R_CERTIFICATE_VERIFY_FAILED) {
        ERR_clear_error();
        return verify_error(presented, v, peer);
    }
    if (reason >= SSL_AD_REASON_OFFSET && reason < SSL_AD_REASON_OFFSET + 256) {
        ERR_clear_error();
        return alert_error(ssl, reason - SSL_AD_REASON_OFFSET, messages, peer);
    }
    switch (reason) {
        case SSL_R_NO_SHARED_CIPHER:
        case SSL_R_NO_CIPHERS_AVAILABLE:
        case SSL_R_NO_SUITABLE_KEY_SHARE:
#ifdef SSL_R_NO_SHARED_GROUPS
        case SSL_R_NO_SHARED_GROUPS:
#endif
            ERR_clear_error();
            return Error(kCipherMismatch, fmt::format("no cipher suite or group in common with {} "
                                                           "(try --cipher or --groups)", peer));
        case SSL_R_UNSUPPORTED_PROTOCOL:
        case SSL_R_NO_PROTOCOLS_AVAILABLE:
        case SSL_R_VERSION_TOO_LOW:
        case SSL_R_VERSION_TOO_HIGH:
        case SSL_R_WRONG_VERSION_NUMBER:
            ERR_clear_error();
            return Error(kProtocolMismatch, fmt::format("no protocol version in common with {} "
                                                             "(try -p)", peer));
        case SSL_R_HTTP_REQUEST:
        case SSL_R_HTTPS_PROXY_REQUEST:
            ERR_clear_error();
            return Error(kNotTls, fmt::format("{} does not speak TLS: it sent a plain HTTP request", peer));
        case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
            ERR_clear_error();
            return Error(kVerifyFailed, fmt::format("{} sent no certificate, and this server requires "
                                                         "one (it was given -a)", peer));
        default:
            break;
    }
    if (ssl_error == SSL_ERROR_SYSCALL || ssl_error == SSL_ERROR_ZERO_RETURN ||
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
        reason == SSL_R_UNEXPECTED_EOF_WHILE_READING ||
#endif
        e == 0) {
        ERR_clear_error();
        const char* how = saved_errno == ECONNRESET ? "reset the connection" : "closed the connection";
        return Error(kPeerClosed, fmt::format("{} {} during the handshake", peer, how));
    }
    return Error(kFailure, fmt::format("TLS handshake with {} failed: {}", peer, openssl_error_text()));
}

}  // namespace sslfeatures::tls
