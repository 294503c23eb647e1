#include "bench/bulk_floor.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "bench/floor.hpp"
#include "util/error.hpp"
#include "util/openssl_text.hpp"
#include "util/ossl_ptr.hpp"

namespace sslfeatures::bench {
namespace {

constexpr std::size_t kMaxRecord = 16384;
constexpr int kTagBytes = 16;
constexpr int kBlock = 16;

void check(bool ok, const char* what) {
    if (!ok) throw Error(kFailure, fmt::format("bench bulk floor: cannot {}: {}", what, openssl_error_text()));
}

int as_int(std::size_t n) { return static_cast<int>(n); }

// The payload cut into records as TLS cuts it.
std::vector<std::size_t> record_sizes(std::size_t payload) {
    std::vector<std::size_t> sizes;
    for (std::size_t left = payload; left > 0; left -= std::min(left, kMaxRecord)) {
        sizes.push_back(std::min(left, kMaxRecord));
    }
    return sizes;
}

// Everything both directions need: the data, the keys, the contexts.
struct Work {
    std::vector<unsigned char> plain;
    std::vector<unsigned char> sealed;   // room for every record's ciphertext, MAC and padding
    std::vector<unsigned char> opened;
    unsigned char key[64] = {};
    unsigned char iv[16] = {};
    unsigned char header[13] = {};       // TLS 1.2's MAC / AAD header; TLS 1.3 uses the first 5
    EvpCipherCtxPtr seal{EVP_CIPHER_CTX_new()};
    EvpCipherCtxPtr open{EVP_CIPHER_CTX_new()};
    std::vector<std::size_t> records;
    explicit Work(std::size_t payload)
        : plain(payload, 0x5a), sealed(payload + 1024 * (payload / kMaxRecord + 1)), opened(sealed.size()),
          records(record_sizes(payload)) {
        check(seal && open, "make cipher contexts");
    }
};

// An AEAD record: TLS 1.3 seals the data and one content-type byte behind a
// 5-byte header; TLS 1.2 seals the data behind 13 bytes of AAD.
class Aead {
  public:
    Aead(const EVP_CIPHER* cipher, int version, std::size_t payload) : w_(payload), tls13_(version == TLS1_3_VERSION) {
        check(EVP_EncryptInit_ex(w_.seal.get(), cipher, nullptr, w_.key, w_.iv) == 1 &&
                  EVP_DecryptInit_ex(w_.open.get(), cipher, nullptr, w_.key, w_.iv) == 1,
              "key the AEAD");
        seal();  // what open() checks
    }
    void seal() {
        unsigned char* out = w_.sealed.data();
        for (std::size_t n : w_.records) {
            const std::size_t in = n + (tls13_ ? 1 : 0);
            int len = 0;
            int tail = 0;
            const bool ok = EVP_EncryptInit_ex(w_.seal.get(), nullptr, nullptr, nullptr, w_.iv) == 1 &&
                            EVP_EncryptUpdate(w_.seal.get(), nullptr, &len, w_.header, aad()) == 1 &&
                            EVP_EncryptUpdate(w_.seal.get(), out, &len, w_.plain.data(), as_int(in)) == 1 &&
                            EVP_EncryptFinal_ex(w_.seal.get(), out + len, &tail) == 1 &&
                            EVP_CIPHER_CTX_ctrl(w_.seal.get(), EVP_CTRL_AEAD_GET_TAG, kTagBytes, out + in) == 1;
            check(ok, "seal a record");
            out += in + kTagBytes;
        }
    }
    void open() {
        unsigned char* in = w_.sealed.data();
        for (std::size_t n : w_.records) {
            const std::size_t body = n + (tls13_ ? 1 : 0);
            int len = 0;
            int tail = 0;
            const bool ok = EVP_DecryptInit_ex(w_.open.get(), nullptr, nullptr, nullptr, w_.iv) == 1 &&
                            EVP_DecryptUpdate(w_.open.get(), nullptr, &len, w_.header, aad()) == 1 &&
                            EVP_DecryptUpdate(w_.open.get(), w_.opened.data(), &len, in, as_int(body)) == 1 &&
                            EVP_CIPHER_CTX_ctrl(w_.open.get(), EVP_CTRL_AEAD_SET_TAG, kTagBytes, in + body) == 1 &&
                            EVP_DecryptFinal_ex(w_.open.get(), w_.opened.data() + len, &tail) == 1;
            check(ok, "open a record");
            in += body + kTagBytes;
        }
    }

  private:
    int aad() const { return tls13_ ? 5 : 13; }
    Work w_;
    bool tls13_;
};

// A CBC record of TLS 1.2: an HMAC over the 13-byte header and the data
// (MAC-then-encrypt) or over the header, IV and ciphertext (encrypt-then-MAC),
// the data padded to whole blocks, one CBC pass.
class Cbc {
  public:
    Cbc(const EVP_CIPHER* cipher, const EVP_MD* md, std::size_t payload, bool etm)
        : w_(payload), etm_(etm), mac_bytes_(static_cast<std::size_t>(EVP_MD_size(md))) {
        check(EVP_EncryptInit_ex(w_.seal.get(), cipher, nullptr, w_.key, w_.iv) == 1 &&
                  EVP_DecryptInit_ex(w_.open.get(), cipher, nullptr, w_.key, w_.iv) == 1 &&
                  EVP_CIPHER_CTX_set_padding(w_.seal.get(), 0) == 1 && EVP_CIPHER_CTX_set_padding(w_.open.get(), 0) == 1,
              "key the CBC cipher");
        EvpPkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_HMAC, nullptr, w_.key, mac_bytes_));
        check(key && mac_template_ && mac_ &&
                  EVP_DigestSignInit(mac_template_.get(), nullptr, md, nullptr, key.get()) == 1,
              "key the HMAC");
        seal();
    }
    void seal() {
        unsigned char* out = w_.sealed.data();
        for (std::size_t n : w_.records) {
            const std::size_t body = etm_ ? n : n + mac_bytes_;
            const std::size_t padded = (body / kBlock + 1) * kBlock;
            if (!etm_) mac(w_.plain.data(), n, tail_.data());
            std::fill(tail_.begin() + static_cast<long>(etm_ ? 0 : mac_bytes_), tail_.end(),
                      static_cast<unsigned char>(padded - body - 1));
            int len = 0;
            int more = 0;
            const bool ok = EVP_EncryptInit_ex(w_.seal.get(), nullptr, nullptr, nullptr, w_.iv) == 1 &&
                            EVP_EncryptUpdate(w_.seal.get(), out, &len, w_.plain.data(), as_int(n)) == 1 &&
                            EVP_EncryptUpdate(w_.seal.get(), out + len, &more, tail_.data(), as_int(padded - n)) == 1;
            check(ok, "encrypt a record");
            if (etm_) mac(out, padded, out + padded);
            out += padded + (etm_ ? mac_bytes_ : 0);
        }
    }
    void open() {
        unsigned char* in = w_.sealed.data();
        for (std::size_t n : w_.records) {
            const std::size_t padded = ((etm_ ? n : n + mac_bytes_) / kBlock + 1) * kBlock;
            if (etm_) mac(in, padded, expected_.data());
            int len = 0;
            check(EVP_DecryptInit_ex(w_.open.get(), nullptr, nullptr, nullptr, w_.iv) == 1 &&
                      EVP_DecryptUpdate(w_.open.get(), w_.opened.data(), &len, in, as_int(padded)) == 1,
                  "decrypt a record");
            if (!etm_) mac(w_.opened.data(), n, expected_.data());
            const unsigned char* received = etm_ ? in + padded : w_.opened.data() + n;
            check(std::equal(expected_.begin(), expected_.begin() + static_cast<long>(mac_bytes_), received),
                  "check a record's MAC");
            in += padded + (etm_ ? mac_bytes_ : 0);
        }
    }

  private:
    void mac(const unsigned char* data, std::size_t n, unsigned char* out) {
        std::size_t len = mac_bytes_;
        check(EVP_MD_CTX_copy_ex(mac_.get(), mac_template_.get()) == 1 &&
                  EVP_DigestSignUpdate(mac_.get(), w_.header, sizeof w_.header) == 1 &&
                  EVP_DigestSignUpdate(mac_.get(), data, n) == 1 && EVP_DigestSignFinal(mac_.get(), out, &len) == 1,
              "compute an HMAC");
    }
    Work w_;
    bool etm_;
    std::size_t mac_bytes_;
    std::vector<unsigned char> tail_ = std::vector<unsigned char>(64 + kBlock);
    std::vector<unsigned char> expected_ = std::vector<unsigned char>(64);
    EvpMdCtxPtr mac_template_{EVP_MD_CTX_new()};
    EvpMdCtxPtr mac_{EVP_MD_CTX_new()};
};

template <typename Protection>
BulkFloor timed(Protection& p) {
    return {lowest_cost_ns([&] { p.seal(); }), lowest_cost_ns([&] { p.open(); })};
}

BulkFloor measure(const SSL_CIPHER* suite, int version, std::size_t payload, bool etm) {
    const EVP_CIPHER* cipher = EVP_get_cipherbynid(SSL_CIPHER_get_cipher_nid(suite));
    if (cipher == nullptr) return {};
    const int digest = SSL_CIPHER_get_digest_nid(suite);
    if (digest == NID_undef) {
        const bool drivable = EVP_CIPHER_mode(cipher) == EVP_CIPH_GCM_MODE ||
                              EVP_CIPHER_nid(cipher) == NID_chacha20_poly1305;
        if (!drivable) return {};
        Aead aead(cipher, version, payload);
        return timed(aead);
    }
    const EVP_MD* md = EVP_get_digestbynid(digest);
    if (md == nullptr || EVP_CIPHER_mode(cipher) != EVP_CIPH_CBC_MODE) return {};
    Cbc cbc(cipher, md, payload, etm);
    return timed(cbc);
}

}  // namespace

BulkFloor bulk_floor(const SSL_CIPHER* suite, int version, std::size_t payload, bool encrypt_then_mac) {
    static std::mutex mutex;
    static std::map<std::string, BulkFloor> cache;
    const bool etm = encrypt_then_mac && SSL_CIPHER_get_digest_nid(suite) != NID_undef;
    const std::string key = fmt::format("{}/{}/{}/{}", SSL_CIPHER_get_name(suite), version, payload, etm);
    std::lock_guard lock(mutex);
    if (auto it = cache.find(key); it != cache.end()) return it->second;
    const BulkFloor floor = measure(suite, version, payload, etm);
    cache.emplace(key, floor);
    return floor;
}

}  // namespace sslfeatures::bench
