#include "tls/pki.hpp"

#include <ctime>
#include <optional>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "util/error.hpp"
#include "tls/host_names.hpp"
#include "util/openssl_text.hpp"

namespace sslfeatures::tls {
namespace {

[[noreturn]] void fail(std::string_view doing) {
    throw Error(kFailure, fmt::format("cannot {}: {}", doing, openssl_error_text()));
}

void check(bool ok, std::string_view doing) {
    if (!ok) fail(doing);
}

template <typename T>
T* check(T* p, std::string_view doing) {
    if (p == nullptr) fail(doing);
    return p;
}

// 159 random bits with the top one set: positive, never zero, and at most the
// 20 octets RFC 5280 allows, and unguessable as CA/Browser rules want.
void set_random_serial(X509* cert) {
    BignumPtr bn(check(BN_new(), "allocate a serial number"));
    check(BN_rand(bn.get(), 159, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) == 1,
          "draw a serial number");
    check(BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)), "set the serial number");
}

void set_time(ASN1_TIME* field, std::chrono::seconds offset) {
    const std::time_t when = std::time(nullptr) + static_cast<std::time_t>(offset.count());
    check(ASN1_TIME_set(field, when), "set the validity period");
}

X509NamePtr name_with_cn(const std::string& common_name) {
    X509NamePtr name(check(X509_NAME_new(), "allocate a name"));
    const auto* bytes = reinterpret_cast<const unsigned char*>(common_name.data());
    check(X509_NAME_add_entry_by_NID(name.get(), NID_commonName, MBSTRING_UTF8, bytes,
                                     static_cast<int>(common_name.size()), -1, 0) == 1,
          "set the common name");
    return name;
}

// Everything but the extensions and the issuer: version, serial, subject,
// public key, validity.
X509Ptr new_certificate(EVP_PKEY* subject_key, const std::string& common_name,
                        const Validity& validity) {
    X509Ptr cert(check(X509_new(), "allocate a certificate"));
    check(X509_set_version(cert.get(), 2) == 1, "set the version");  // 2 means v3
    set_random_serial(cert.get());
    check(X509_set_subject_name(cert.get(), name_with_cn(common_name).get()) == 1,
          "set the subject");
    check(X509_set_pubkey(cert.get(), subject_key) == 1, "set the public key");
    set_time(X509_getm_notBefore(cert.get()), validity.not_before);
    set_time(X509_getm_notAfter(cert.get()), validity.not_after);
    return cert;
}

// One extension from OpenSSL's configuration syntax ("critical,CA:TRUE").
// Only fixed strings go through here; names from users never do.
void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509ExtensionPtr ext(check(X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value),
                               fmt::format("make the {} extension", OBJ_nid2sn(nid))));
    check(X509_add_ext(cert, ext.get(), -1) == 1, "add an extension");
}

// Identifiers let verifiers pick the right CA among several with one name.
// The subject's comes first: a self-signed certificate is its own issuer.
void add_key_identifiers(X509* cert, X509* issuer, bool with_authority) {
    add_extension(cert, issuer, NID_subject_key_identifier, "hash");
    if (with_authority) add_extension(cert, issuer, NID_authority_key_identifier, "keyid:always");
}

// The entry as it goes on the wire; two spellings of one address (::1 and
// 0::1) give the same bytes, so duplicates are easy to spot.
std::pair<int, std::string> san_entry(const std::string& name) {
    if (std::optional<std::string> address = ip_address_bytes(name)) return {GEN_IPADD, *address};
    if (!is_valid_san_name(name)) {
        throw Error(kUsage, fmt::format("'{}' is neither a host name, a wildcard name nor an IP address",
                                                  name));
    }
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return {GEN_DNS, lower};
}

GeneralNamePtr general_name(int type, const std::string& value) {
    Asn1StringPtr str(check(
        ASN1_STRING_type_new(type == GEN_IPADD ? V_ASN1_OCTET_STRING : V_ASN1_IA5STRING),
        "allocate a subjectAltName entry"));
    check(ASN1_STRING_set(str.get(), value.data(), static_cast<int>(value.size())) == 1,
          "fill a subjectAltName entry");
    GeneralNamePtr gen(check(GENERAL_NAME_new(), "allocate a subjectAltName entry"));
    GENERAL_NAME_set0_value(gen.get(), type, str.release());
    return gen;
}

// Built entry by entry rather than from configuration text, so a name with a
// comma or "IP:" in it cannot smuggle in a second entry.
void add_subject_alt_names(X509* cert, const std::vector<std::string>& names) {
    if (names.empty()) return;  // an empty subjectAltName is invalid
    GeneralNamesPtr list(check(sk_GENERAL_NAME_new_null(), "allocate subjectAltName"));
    std::set<std::pair<int, std::string>> seen;
    for (const std::string& name : names) {
        auto entry = san_entry(name);
        if (!seen.insert(entry).second) continue;
        GeneralNamePtr gen = general_name(entry.first, entry.second);
        check(sk_GENERAL_NAME_push(list.get(), gen.get()) > 0, "add a subjectAltName entry");
        gen.release();  // the stack owns it now
    }
    check(X509_add1_ext_i2d(cert, NID_subject_alt_name, list.get(), 0, X509V3_ADD_DEFAULT) == 1,
          "add subjectAltName");
}

void sign(X509* cert, EVP_PKEY* issuer_key, const EVP_MD* digest = EVP_sha256()) {
    // EdDSA hashes inside the algorithm and takes no separate digest.
    const bool pure = EVP_PKEY_id(issuer_key) == EVP_PKEY_ED25519 ||
                      EVP_PKEY_id(issuer_key) == EVP_PKEY_ED448;
    check(X509_sign(cert, issuer_key, pure ? nullptr : digest) > 0,
          "sign the certificate");
}

// RSA keys can also carry TLS 1.2's RSA key exchange; others only sign.
const char* leaf_key_usage(const EVP_PKEY* key) {
    return EVP_PKEY_base_id(key) == EVP_PKEY_RSA ? "critical,digitalSignature,keyEncipherment"
                                                 : "critical,digitalSignature";
}

const char* extended_key_usage(bool server, bool client) {
    if (server && client) return "serverAuth,clientAuth";
    return server ? "serverAuth" : "clientAuth";
}

// A leaf for `names`, signed by the issuer; `issuer == nullptr` means the
// certificate signs itself with its own key.
Issued make_leaf(X509* issuer, EVP_PKEY* issuer_key, EvpPkeyPtr key, const std::string& common_name,
                 const std::vector<std::string>& names, const Validity& validity, bool server,
                 bool client, const EVP_MD* digest = EVP_sha256()) {
    if (!server && !client) {
        throw Error(kUsage, "a leaf certificate needs server or client use, or both");
    }
    Issued leaf{nullptr, std::move(key)};
    leaf.cert = new_certificate(leaf.key.get(), common_name, validity);
    X509* cert = leaf.cert.get();
    X509* signer = issuer != nullptr ? issuer : cert;
    check(X509_set_issuer_name(cert, X509_get_subject_name(signer)) == 1, "set the issuer");
    add_extension(cert, signer, NID_basic_constraints, "CA:FALSE");
    add_extension(cert, signer, NID_key_usage, leaf_key_usage(leaf.key.get()));
    add_extension(cert, signer, NID_ext_key_usage, extended_key_usage(server, client));
    add_subject_alt_names(cert, names);
    add_key_identifiers(cert, signer, true);
    sign(cert, issuer_key != nullptr ? issuer_key : leaf.key.get(), digest);
    return leaf;
}

}  // namespace

Issued make_ca(KeyType type, std::string common_name, Validity validity) {
    Issued ca{nullptr, generate_key(type)};
    ca.cert = new_certificate(ca.key.get(), common_name, validity);
    X509* cert = ca.cert.get();
    check(X509_set_issuer_name(cert, X509_get_subject_name(cert)) == 1, "set the issuer");
    add_extension(cert, cert, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign");
    add_key_identifiers(cert, cert, false);
    sign(cert, ca.key.get());
    return ca;
}

Issued issue_leaf(const Issued& ca, KeyType type, std::string common_name,
                  std::vector<std::string> names, Validity validity, bool server, bool client) {
    if (!ca.cert || !ca.key) {
        throw Error(kFailure, "cannot issue a certificate: the CA has no certificate or key");
    }
    return make_leaf(ca.cert.get(), ca.key.get(), generate_key(type), common_name, names, validity, server,
                     client);
}

Issued issue_leaf_for_key(const Issued& ca, EvpPkeyPtr key, std::string name, const EVP_MD* digest) {
    if (!ca.cert || !ca.key) {
        throw Error(kFailure, "cannot issue a certificate: the CA has no certificate or key");
    }
    return make_leaf(ca.cert.get(), ca.key.get(), std::move(key), name, {name}, {}, true, false, digest);
}

Issued make_self_signed_leaf(KeyType type, std::string common_name,
                             std::vector<std::string> names, Validity validity) {
    return make_leaf(nullptr, nullptr, generate_key(type), common_name, names, validity, true, false);
}

bool is_valid_san_name(std::string_view name) {
    return is_ip_literal(name) || is_host_name(name) || is_wildcard_name(name);
}

std::string to_pem(X509* cert) {
    BioPtr bio(check(BIO_new(BIO_s_mem()), "allocate a buffer"));
    check(PEM_write_bio_X509(bio.get(), cert) == 1, "write the certificate as PEM");
    return memory_bio_text(bio.get());
}

std::string to_pem(EVP_PKEY* key) {
    BioPtr bio(check(BIO_new(BIO_s_mem()), "allocate a buffer"));
    check(PEM_write_bio_PKCS8PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
          "write the private key as PEM");
    return memory_bio_text(bio.get());
}

}  // namespace sslfeatures::tls
