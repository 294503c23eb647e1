#include "bench/floor.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <mutex>
#include <vector>


#include <fmt/format.h>
#include <openssl/dh.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "bench/cpu_clock.hpp"
#include "bench/fixture.hpp"
#include "util/error.hpp"
#include "tls/errors.hpp"
#include "util/ossl_ptr.hpp"

namespace sslfeatures::bench {
namespace {

using Op = std::function<void()>;

// Each operation runs in a few batches of a few milliseconds; the cheapest
// batch counts. A floor is a lower bound: a batch slowed by a neighbour on a
// shared core says nothing about the operation. Three batches were not
// enough on a shared two-vCPU VM: a P-384 floor came out 20% high in one CI
// run in ten; five cost about 0.2 s more over the whole matrix.
constexpr double kBatchNs = 4e6;
constexpr int kBatches = 5;

void check(bool ok, const std::string& what) {
    if (!ok) throw Error(kFailure, fmt::format("bench floor: cannot {}: {}", what, openssl_error_text()));
}

double batch_ns(const Op& op) {
    const double start = thread_cpu_ns();
    int runs = 0;
    double elapsed = 0;
    do {
        op();
        ++runs;
        elapsed = thread_cpu_ns() - start;
    } while (elapsed < kBatchNs || runs < 2);
    return elapsed / runs;
}

}  // namespace

double lowest_cost_ns(const std::function<void()>& op) {
    op();  // first use: tables, caches, lazy initialisation
    double best = batch_ns(op);
    for (int i = 1; i < kBatches; ++i) best = std::min(best, batch_ns(op));
    return best;
}

namespace {

// Each operation by name, measured once.
double measured(const std::string& name, const std::function<Op()>& make) {
    static std::mutex mutex;
    static std::map<std::string, double> cache;
    std::lock_guard lock(mutex);
    if (auto it = cache.find(name); it != cache.end()) return it->second;
    const double ns = lowest_cost_ns(make());
    cache.emplace(name, ns);
    return ns;
}

const EVP_MD* digest_for(tls::KeyType key) {
    if (key == tls::KeyType::ed25519) return nullptr;
    return key == tls::KeyType::ecdsa_p384 ? EVP_sha384() : EVP_sha256();
}

// About as long as what TLS 1.3 signs (64 spaces, a context string, a
// transcript hash). The bytes themselves do not matter: the cost is the key's.
const std::vector<unsigned char> kMessage(130, 0x20);

// TLS 1.3 and our TLS 1.2 peers sign with RSA-PSS, salt as long as the digest.
void use_rsa_pss(EVP_PKEY_CTX* pctx) {
    check(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
              EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1,
          "choose RSA-PSS");
}

std::vector<unsigned char> sign(EVP_PKEY* key, tls::KeyType type) {
    EvpMdCtxPtr md(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    check(md && EVP_DigestSignInit(md.get(), &pctx, digest_for(type), nullptr, key) == 1, "start a signature");
    if (tls::is_rsa(type)) use_rsa_pss(pctx);
    std::vector<unsigned char> sig(EVP_PKEY_size(key));
    size_t len = sig.size();
    check(EVP_DigestSign(md.get(), sig.data(), &len, kMessage.data(), kMessage.size()) == 1, "sign");
    sig.resize(len);
    return sig;
}

void verify(EVP_PKEY* key, tls::KeyType type, const std::vector<unsigned char>& sig) {
    EvpMdCtxPtr md(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    check(md && EVP_DigestVerifyInit(md.get(), &pctx, digest_for(type), nullptr, key) == 1, "start a verification");
    if (tls::is_rsa(type)) use_rsa_pss(pctx);
    check(EVP_DigestVerify(md.get(), sig.data(), sig.size(), kMessage.data(), kMessage.size()) == 1, "verify");
}

double sign_ns(tls::KeyType type) {
    return measured(fmt::format("sign {}", tls::key_type_name(type)), [type]() -> Op {
        EVP_PKEY* key = bench_leaf(type).key.get();
        return [key, type] { sign(key, type); };
    });
}

// Verification with the public key alone, as a client has it.
double verify_ns(const tls::Issued& issued, tls::KeyType type, const std::string& what) {
    return measured(fmt::format("verify {}", what), [&issued, type]() -> Op {
        auto sig = std::make_shared<std::vector<unsigned char>>(sign(issued.key.get(), type));
        EVP_PKEY* pub = X509_get0_pubkey(issued.cert.get());
        return [pub, type, sig] { verify(pub, type, *sig); };
    });
}

#if OPENSSL_VERSION_NUMBER < 0x30000000L
// A 1.1.1 client rebuilds the server's DHE group from p and g alone, without
// the short private exponent (225 bits) the named group carries, so its key
// and its derivation use a 2047-bit exponent: several times the server's cost.
constexpr const char* kFfdheAsA111ClientBuildsIt = "ffdhe2048 (p and g only)";

EvpPkeyPtr ffdhe2048_from_p_and_g() {
    const DhPtr named(DH_new_by_nid(NID_ffdhe2048));
    check(named != nullptr, "make ffdhe2048 parameters");
    const BIGNUM* p = nullptr;
    const BIGNUM* g = nullptr;
    DH_get0_pqg(named.get(), &p, nullptr, &g);
    DhPtr dh(DH_new());
    BignumPtr p_copy(BN_dup(p));
    BignumPtr g_copy(BN_dup(g));
    check(dh && p_copy && g_copy && DH_set0_pqg(dh.get(), p_copy.get(), nullptr, g_copy.get()) == 1,
          "copy ffdhe2048's p and g");
    p_copy.release();  // dh owns both now
    g_copy.release();
    EvpPkeyPtr params(EVP_PKEY_new());
    const bool wrapped = params && EVP_PKEY_assign_DH(params.get(), dh.get()) == 1;
    if (wrapped) dh.release();  // params owns it now
    check(wrapped, "wrap ffdhe2048's p and g");
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(params.get(), nullptr));
    EVP_PKEY* made = nullptr;
    check(ctx && EVP_PKEY_keygen_init(ctx.get()) == 1 && EVP_PKEY_keygen(ctx.get(), &made) == 1,
          "make an ffdhe2048 share from p and g");
    return EvpPkeyPtr(made);
}
#endif

EvpPkeyPtr keygen(const std::string& group) {
    EVP_PKEY* made = nullptr;
    if (group == "x25519") {
        EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, nullptr));
        check(ctx && EVP_PKEY_keygen_init(ctx.get()) == 1 && EVP_PKEY_keygen(ctx.get(), &made) == 1, "make an X25519 share");
    } else if (group == "p-256" || group == "p-384") {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
        // As libssl makes a share: by group name, through the provider.
        EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
        check(ctx && EVP_PKEY_keygen_init(ctx.get()) == 1 &&
                  EVP_PKEY_CTX_set_group_name(ctx.get(), group == "p-256" ? "P-256" : "P-384") == 1 &&
                  EVP_PKEY_keygen(ctx.get(), &made) == 1,
              "make an EC share");
#else
        EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_EC, nullptr));
        const int nid = group == "p-256" ? NID_X9_62_prime256v1 : NID_secp384r1;
        check(ctx && EVP_PKEY_keygen_init(ctx.get()) == 1 &&
                  EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx.get(), nid) == 1 &&
                  EVP_PKEY_keygen(ctx.get(), &made) == 1,
              "make an EC share");
#endif
    } else if (group == "ffdhe2048") {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
        EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "DH", nullptr));
        check(ctx && EVP_PKEY_keygen_init(ctx.get()) == 1 &&
                  EVP_PKEY_CTX_set_group_name(ctx.get(), "ffdhe2048") == 1 &&
                  EVP_PKEY_keygen(ctx.get(), &made) == 1,
              "make an ffdhe2048 share");
#else
        EvpPkeyPtr params(EVP_PKEY_new());
        check(params && EVP_PKEY_assign_DH(params.get(), DH_new_by_nid(NID_ffdhe2048)) == 1, "make ffdhe2048 parameters");
        EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(params.get(), nullptr));
        check(ctx && EVP_PKEY_keygen_init(ctx.get()) == 1 && EVP_PKEY_keygen(ctx.get(), &made) == 1,
              "make an ffdhe2048 share");
    } else if (group == kFfdheAsA111ClientBuildsIt) {
        made = ffdhe2048_from_p_and_g().release();
#endif
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    } else if (group == "x25519mlkem768") {
        EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "X25519MLKEM768", nullptr));
        check(ctx && EVP_PKEY_keygen_init(ctx.get()) == 1 && EVP_PKEY_keygen(ctx.get(), &made) == 1,
              "make an X25519MLKEM768 share");
#endif
    } else {
        check(false, fmt::format("make a share for group {}", group));
    }
    return EvpPkeyPtr(made);
}

// libssl checks a peer's share when it decodes it, not again when it derives:
// the full public-key check (a scalar multiplication for EC) is no part of
// the floor.
bool set_peer(EVP_PKEY_CTX* ctx, EVP_PKEY* peer) {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    return EVP_PKEY_derive_set_peer_ex(ctx, peer, 0) == 1;
#else
    return EVP_PKEY_derive_set_peer(ctx, peer) == 1;
#endif
}

void derive(EVP_PKEY* own, EVP_PKEY* peer) {
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(own, nullptr));
    unsigned char secret[512];
    size_t len = sizeof secret;
    check(ctx && EVP_PKEY_derive_init(ctx.get()) == 1 && set_peer(ctx.get(), peer) &&
              EVP_PKEY_derive(ctx.get(), secret, &len) == 1,
          "derive a shared secret");
}

double keygen_ns(const std::string& group) {
    return measured("keygen " + group, [group]() -> Op { return [group] { keygen(group); }; });
}

double derive_ns(const std::string& group) {
    return measured("derive " + group, [group]() -> Op {
        std::shared_ptr<EVP_PKEY> own(keygen(group).release(), EVP_PKEY_free);
        std::shared_ptr<EVP_PKEY> peer(keygen(group).release(), EVP_PKEY_free);
        return [own, peer] { derive(own.get(), peer.get()); };
    });
}

#if OPENSSL_VERSION_NUMBER >= 0x30000000L
// A KEM group: the client makes a key and decapsulates, the server encapsulates.
struct Kem {
    std::vector<unsigned char> ciphertext;
    std::vector<unsigned char> secret;
};

Kem encapsulate(EVP_PKEY* client_key) {
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, client_key, nullptr));
    size_t ct_len = 0;
    size_t secret_len = 0;
    check(ctx && EVP_PKEY_encapsulate_init(ctx.get(), nullptr) == 1 &&
              EVP_PKEY_encapsulate(ctx.get(), nullptr, &ct_len, nullptr, &secret_len) == 1,
          "start an encapsulation");
    Kem kem{std::vector<unsigned char>(ct_len), std::vector<unsigned char>(secret_len)};
    check(EVP_PKEY_encapsulate(ctx.get(), kem.ciphertext.data(), &ct_len, kem.secret.data(), &secret_len) == 1,
          "encapsulate");
    return kem;
}

void decapsulate(EVP_PKEY* client_key, const Kem& kem) {
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, client_key, nullptr));
    std::vector<unsigned char> secret(kem.secret.size());
    size_t len = secret.size();
    check(ctx && EVP_PKEY_decapsulate_init(ctx.get(), nullptr) == 1 &&
              EVP_PKEY_decapsulate(ctx.get(), secret.data(), &len, kem.ciphertext.data(), kem.ciphertext.size()) == 1,
          "decapsulate");
}

double encapsulate_ns(const std::string& group) {
    return measured("encapsulate " + group, [group]() -> Op {
        std::shared_ptr<EVP_PKEY> key(keygen(group).release(), EVP_PKEY_free);
        return [key] { encapsulate(key.get()); };
    });
}

double decapsulate_ns(const std::string& group) {
    return measured("decapsulate " + group, [group]() -> Op {
        std::shared_ptr<EVP_PKEY> key(keygen(group).release(), EVP_PKEY_free);
        auto kem = std::make_shared<Kem>(encapsulate(key.get()));
        return [key, kem] { decapsulate(key.get(), *kem); };
    });
}
#endif

// One side's key share: make it and use it (a KEM's server encapsulates).
Floor key_share(const std::string& group) {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    if (group == "x25519mlkem768") return {encapsulate_ns(group), keygen_ns(group) + decapsulate_ns(group)};
#endif
    const double side = keygen_ns(group) + derive_ns(group);
#if OPENSSL_VERSION_NUMBER < 0x30000000L
    if (group == "ffdhe2048") {
        return {side, keygen_ns(kFfdheAsA111ClientBuildsIt) + derive_ns(kFfdheAsA111ClientBuildsIt)};
    }
#endif
    return {side, side};
}

std::vector<unsigned char> rsa_encrypt(EVP_PKEY* key) {
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr));
    const unsigned char premaster[48] = {3, 3};
    std::vector<unsigned char> out(EVP_PKEY_size(key));
    size_t len = out.size();
    check(ctx && EVP_PKEY_encrypt_init(ctx.get()) == 1 &&
              EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) == 1 &&
              EVP_PKEY_encrypt(ctx.get(), out.data(), &len, premaster, sizeof premaster) == 1,
          "RSA-encrypt a premaster secret");
    out.resize(len);
    return out;
}

void rsa_decrypt(EVP_PKEY* key, const std::vector<unsigned char>& in) {
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr));
    unsigned char out[1024];
    size_t len = sizeof out;
    check(ctx && EVP_PKEY_decrypt_init(ctx.get()) == 1 &&
              EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) == 1 &&
              EVP_PKEY_decrypt(ctx.get(), out, &len, in.data(), in.size()) == 1,
          "RSA-decrypt a premaster secret");
}

Floor rsa_transport(tls::KeyType type) {
    const tls::Issued& leaf = bench_leaf(type);
    const std::string name(tls::key_type_name(type));
    const double encrypt = measured("encrypt " + name, [&leaf]() -> Op {
        EVP_PKEY* pub = X509_get0_pubkey(leaf.cert.get());
        return [pub] { rsa_encrypt(pub); };
    });
    const double decrypt = measured("decrypt " + name, [&leaf]() -> Op {
        auto in = std::make_shared<std::vector<unsigned char>>(rsa_encrypt(leaf.key.get()));
        EVP_PKEY* key = leaf.key.get();
        return [key, in] { rsa_decrypt(key, *in); };
    });
    return {decrypt, encrypt};
}

double chain_verify_ns() {
    return verify_ns(bench_ca(), tls::KeyType::ecdsa_p256, "bench CA");
}

}  // namespace

Floor crypto_floor(const Case& c) {
    const bool tls13 = c.version == TLS1_3_VERSION;
    if (c.resumed()) return tls13 ? key_share(c.group) : Floor{};
    if (c.group == "rsa") {
        Floor f = rsa_transport(c.key);
        f.client_ns += chain_verify_ns();
        return f;
    }
    const Floor share = key_share(c.group);
    const double leaf_verify = verify_ns(bench_leaf(c.key), c.key, std::string(tls::key_type_name(c.key)));
    return {sign_ns(c.key) + share.server_ns, leaf_verify + chain_verify_ns() + share.client_ns};
}

}  // namespace sslfeatures::bench
