#include "tls/hello_probe.hpp"

#include <algorithm>
#include <span>
#include <string_view>

#include <fmt/format.h>

#include <openssl/err.h>
#include <openssl/objects.h>

#include "reflect/catalogue.hpp"
#include "reflect/groups.hpp"
#include "tls/errors.hpp"
#include "util/ossl_ptr.hpp"

namespace sslfeatures::tls {
namespace {

// The client hello callback runs before the server parses extensions, which
// is the one moment the raw supported_versions list can be read.
struct Capture {
    bool seen = false;
    std::vector<int> versions;
    bool versions_complete = false;
    std::vector<int> groups;  // supported_groups' code points, the hello's order
    std::vector<int> key_share_groups;
    std::vector<int> point_formats;
    std::vector<int> extensions;
    bool scsv = false;
};

// The raw bytes of one extension, or an empty view.
std::span<const unsigned char> extension(SSL* ssl, unsigned type) {
    const unsigned char* data = nullptr;
    size_t len = 0;
    if (SSL_client_hello_get0_ext(ssl, type, &data, &len) != 1 || data == nullptr) return {};
    return {data, len};
}

// Two-byte values after a length prefix of `prefix` bytes.
std::vector<int> two_byte_list(std::span<const unsigned char> body, size_t prefix) {
    std::vector<int> out;
    for (size_t i = prefix; i + 1 < body.size(); i += 2) out.push_back(body[i] << 8 | body[i + 1]);
    return out;
}

// key_share (RFC 8446 4.2.8): a two-byte list length, then entries of a
// group, a two-byte key length and the key.
std::vector<int> key_share_groups(std::span<const unsigned char> body) {
    std::vector<int> out;
    for (size_t i = 2; i + 3 < body.size();) {
        out.push_back(body[i] << 8 | body[i + 1]);
        i += 4 + static_cast<size_t>(body[i + 2] << 8 | body[i + 3]);
    }
    return out;
}

void capture_hello(SSL* ssl, Capture& capture) {
    capture.groups = two_byte_list(extension(ssl, TLSEXT_TYPE_supported_groups), 2);
    capture.key_share_groups = key_share_groups(extension(ssl, TLSEXT_TYPE_key_share));
    const auto formats = extension(ssl, TLSEXT_TYPE_ec_point_formats);
    for (size_t i = 1; i < formats.size(); ++i) capture.point_formats.push_back(formats[i]);
    int* types = nullptr;
    size_t count = 0;
    if (SSL_client_hello_get1_extensions_present(ssl, &types, &count) == 1) {
        capture.extensions.assign(types, types + count);
        OPENSSL_free(types);
    }
    const unsigned char* suites = nullptr;
    const size_t suites_len = SSL_client_hello_get0_ciphers(ssl, &suites);
    for (size_t i = 0; i + 1 < suites_len; i += 2) {
        if ((suites[i] << 8 | suites[i + 1]) == 0x00ff) capture.scsv = true;
    }
}

int capture_versions(SSL* ssl, int*, void* arg) {
    auto* capture = static_cast<Capture*>(arg);
    capture->seen = true;
    const unsigned char* data = nullptr;
    size_t len = 0;
    if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_supported_versions, &data, &len) == 1 && len > 0) {
        // A one-byte length, then two-byte versions in the client's order.
        const size_t end = std::min<size_t>(len, 1u + data[0]);
        for (size_t i = 1; i + 1 < end; i += 2) capture->versions.push_back(data[i] << 8 | data[i + 1]);
        capture->versions_complete = true;
    } else {
        capture->versions.push_back(static_cast<int>(SSL_client_hello_get0_legacy_version(ssl)));
    }
    capture_hello(ssl, *capture);
    return SSL_CLIENT_HELLO_SUCCESS;
}

// The ClientHello an SSL made from `ctx` sends first, or empty.
std::string client_hello_bytes(SSL_CTX* ctx) {
    SslPtr client(SSL_new(ctx));
    if (!client) return {};
    // A server context's SSL has no client half. The generic method gives it
    // one; the settings it copied from the context (bounds, groups, signature
    // algorithms, ciphers) stay as they are, because both methods are the
    // same protocol version and OpenSSL then swaps only the method pointer.
    if (SSL_CTX_get_ssl_method(ctx) == TLS_server_method() &&
        SSL_set_ssl_method(client.get(), TLS_method()) != 1) {
        return {};
    }
    BioPtr in(BIO_new(BIO_s_mem()));
    BioPtr out(BIO_new(BIO_s_mem()));
    if (!in || !out) return {};
    BIO* written = out.get();
    SSL_set_bio(client.get(), in.release(), out.release());  // the SSL owns both now
    SSL_set_connect_state(client.get());
    SSL_do_handshake(client.get());  // stops at once: nothing to read yet
    return memory_bio_text(written);
}

// A server that accepts any version, so that version negotiation never stops
// it before the extensions are read. It has no certificate, so it fails
// afterwards ("no shared cipher"); by then the getters have their data.
// Without a certificate a server is not TLS 1.3-capable and refuses a
// 1.3-only hello before reading it ("unsupported protocol"), as under a
// configured MinProtocol = TLSv1.3; a certificate callback makes it capable.
SslCtxPtr probe_server_context(Capture& capture) {
    SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
    if (!ctx) return ctx;
    SSL_CTX_set_cert_cb(ctx.get(), [](SSL*, void*) { return 1; }, nullptr);
    SSL_CTX_set_security_level(ctx.get(), 0);
    SSL_CTX_set_min_proto_version(ctx.get(), 0);
    SSL_CTX_set_max_proto_version(ctx.get(), 0);
    SSL_CTX_set_client_hello_cb(ctx.get(), capture_versions, &capture);
    return ctx;
}

std::string group_name(SSL* ssl, int id) {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    // Knows provider groups too (ML-KEM hybrids have no NID).
    const char* name = SSL_group_to_name(ssl, id);
#else
    (void)ssl;
    const char* name = (id & TLSEXT_nid_unknown) != 0 ? nullptr : OBJ_nid2sn(id);
#endif
    return name != nullptr ? reflect::tls_group_spelling(name) : fmt::format("0x{:04x}", id & 0xffff);
}

std::vector<std::string> peer_groups(SSL* ssl) {
    std::vector<int> ids(static_cast<size_t>(std::max(0L, SSL_get1_groups(ssl, nullptr))));
    if (!ids.empty()) SSL_get1_groups(ssl, ids.data());
    std::vector<std::string> names;
    for (int id : ids) names.push_back(group_name(ssl, id));
    return names;
}

std::vector<SignatureScheme> peer_signature_schemes(SSL* ssl) {
    std::vector<SignatureScheme> schemes;
    const int count = SSL_get_sigalgs(ssl, -1, nullptr, nullptr, nullptr, nullptr, nullptr);
    for (int i = 0; i < count; ++i) {
        // The code point's two bytes, as the hello carried them.
        unsigned char sig_byte = 0, hash_byte = 0;
        SSL_get_sigalgs(ssl, i, nullptr, nullptr, nullptr, &sig_byte, &hash_byte);
        schemes.push_back(SignatureScheme::from_code(static_cast<std::uint16_t>(hash_byte << 8 | sig_byte)));
    }
    return schemes;
}

// RFC 8422's names for the point formats.
std::string point_format_name(int format) {
    switch (format) {
        case 0: return "uncompressed";
        case 1: return "ansiX962_compressed_prime";
        case 2: return "ansiX962_compressed_char2";
    }
    return fmt::format("{}", format);
}

// An extension by the headers' TLSEXT_TYPE_ name; of two names for one code
// point ("elliptic_curves", "supported_groups") the later in the alphabet,
// which is the newer one in every pair the headers hold, so releases agree.
std::string extension_name(int type) {
    std::string_view best;
    for (const reflect::CategoryRule& rule : reflect::category_rules()) {
        if (rule.id != "tls_extensions") continue;
        for (const reflect::Constant& c : rule.constants) {
            constexpr std::string_view kPrefix = "TLSEXT_TYPE_";
            if (c.value.negative || c.value.magnitude != static_cast<std::uint64_t>(type)) continue;
            if (c.name.substr(0, kPrefix.size()) != kPrefix) continue;
            const std::string_view name = c.name.substr(kPrefix.size());
            if (name > best) best = name;
        }
    }
    return best.empty() ? fmt::format("0x{:04x}", type) : std::string(best);
}

// Key-share groups by the names supported_groups gave the same code points.
std::vector<std::string> key_share_names(const Capture& capture, const std::vector<std::string>& group_names) {
    std::vector<std::string> out;
    for (int code : capture.key_share_groups) {
        const auto it = std::find(capture.groups.begin(), capture.groups.end(), code);
        const auto index = static_cast<size_t>(it - capture.groups.begin());
        out.push_back(index < group_names.size() && capture.groups.size() == group_names.size()
                          ? group_names[index]
                          : fmt::format("0x{:04x}", code));
    }
    return out;
}

HelloProbe failed(const std::string& why) {
    HelloProbe probe;
    probe.error = fmt::format("{}: {}", why, openssl_error_text());
    return probe;
}

}  // namespace

HelloProbe probe_client_hello(SSL_CTX* ctx) {
    const std::string hello = client_hello_bytes(ctx);
    if (hello.empty()) return failed("the context wrote no ClientHello");

    Capture capture;
    SslCtxPtr server_ctx = probe_server_context(capture);
    SslPtr server(server_ctx ? SSL_new(server_ctx.get()) : nullptr);
    if (!server) return failed("cannot create the probe server");
    BioPtr in(BIO_new(BIO_s_mem()));
    BioPtr out(BIO_new(BIO_s_mem()));
    const int size = static_cast<int>(hello.size());
    if (!in || !out || BIO_write(in.get(), hello.data(), size) != size) {
        return failed("cannot hand the ClientHello to the probe server");
    }
    SSL_set_bio(server.get(), in.release(), out.release());  // the SSL owns both now
    SSL_set_accept_state(server.get());
    SSL_do_handshake(server.get());
    if (!capture.seen) return failed("the probe server could not read the ClientHello");
    ERR_clear_error();  // the expected "no shared cipher"

    HelloProbe probe;
    probe.ok = true;
    probe.versions = std::move(capture.versions);
    probe.versions_complete = capture.versions_complete;
    probe.groups = peer_groups(server.get());
    probe.signature_algorithms = peer_signature_schemes(server.get());
    probe.bytes = hello.size();
    probe.key_shares = key_share_names(capture, probe.groups);
    for (int format : capture.point_formats) probe.ec_point_formats.push_back(point_format_name(format));
    for (int type : capture.extensions) probe.extensions.push_back(extension_name(type));
    probe.renegotiation_extension =
        std::find(capture.extensions.begin(), capture.extensions.end(), 0xff01) != capture.extensions.end();
    probe.renegotiation_scsv = capture.scsv;
    return probe;
}

}  // namespace sslfeatures::tls
