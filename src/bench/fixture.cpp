#include "bench/fixture.hpp"

#include <map>
#include <mutex>

#include <fmt/format.h>
#include <openssl/pem.h>

#include "util/error.hpp"
#include "tls/errors.hpp"
#include "util/ossl_ptr.hpp"

namespace sslfeatures::bench {
namespace {

constexpr const char* kHost = "localhost";

// Certificates and keys as a server loads them from files: parsed from PEM.
// One made in memory re-encodes itself whenever it is sent, a cost no real
// server pays.
tls::Issued as_loaded(const tls::Issued& made) {
    const std::string cert_pem = tls::to_pem(made.cert.get());
    const std::string key_pem = tls::to_pem(made.key.get());
    BioPtr cert_bio(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
    BioPtr key_bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
    tls::Issued loaded{X509Ptr(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr)),
                       EvpPkeyPtr(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr))};
    if (!loaded.cert || !loaded.key) setup_failed("read back a bench certificate");
    return loaded;
}

}  // namespace

void setup_failed(const std::string& what) {
    throw Error(kFailure, fmt::format("bench: cannot {}: {}", what, openssl_error_text()));
}

const tls::Issued& bench_ca() {
    static const tls::Issued ca = as_loaded(tls::make_ca(tls::KeyType::ecdsa_p256, "sslfeatures bench CA"));
    return ca;
}

const tls::Issued& bench_leaf(tls::KeyType key) {
    static std::mutex mutex;
    static std::map<tls::KeyType, tls::Issued> leaves;
    const tls::Issued& ca = bench_ca();
    std::lock_guard lock(mutex);
    auto it = leaves.find(key);
    if (it == leaves.end()) {
        it = leaves.emplace(key, as_loaded(tls::issue_leaf(ca, key, kHost, {kHost}))).first;
    }
    return it->second;
}

}  // namespace sslfeatures::bench
