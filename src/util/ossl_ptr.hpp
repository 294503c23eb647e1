// Owning pointers for OpenSSL objects: each type is freed by its own function,
// so no code path frees by hand and an early return cannot leak. Part of the
// base layer: every layer that holds an OpenSSL object uses these.
#pragma once

#include <memory>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/conf.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#if OPENSSL_VERSION_NUMBER < 0x30000000L
#include <openssl/dh.h>
#endif
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace sslfeatures {

template <auto Free>
struct FreeWith {
    template <typename T>
    void operator()(T* p) const noexcept { Free(p); }
};

using SslCtxPtr = std::unique_ptr<SSL_CTX, FreeWith<&SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, FreeWith<&SSL_free>>;
using SslSessionPtr = std::unique_ptr<SSL_SESSION, FreeWith<&SSL_SESSION_free>>;
using BioPtr = std::unique_ptr<BIO, FreeWith<&BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, FreeWith<&X509_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, FreeWith<&EVP_PKEY_free>>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, FreeWith<&EVP_PKEY_CTX_free>>;
using EvpCipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, FreeWith<&EVP_CIPHER_CTX_free>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, FreeWith<&EVP_MD_CTX_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, FreeWith<&BN_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, FreeWith<&X509_NAME_free>>;
using X509ExtensionPtr = std::unique_ptr<X509_EXTENSION, FreeWith<&X509_EXTENSION_free>>;
using GeneralNamePtr = std::unique_ptr<GENERAL_NAME, FreeWith<&GENERAL_NAME_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, FreeWith<&GENERAL_NAMES_free>>;
using Asn1StringPtr = std::unique_ptr<ASN1_STRING, FreeWith<&ASN1_STRING_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, FreeWith<&X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, FreeWith<&X509_STORE_CTX_free>>;
using ConfPtr = std::unique_ptr<CONF, FreeWith<&NCONF_free>>;
using InitSettingsPtr = std::unique_ptr<OPENSSL_INIT_SETTINGS, FreeWith<&OPENSSL_INIT_free>>;

// Stack functions and OPENSSL_free are macros on some releases: no address
// to give FreeWith, so these deleters call them.
struct CipherStackFree {
    void operator()(STACK_OF(SSL_CIPHER)* stack) const noexcept { sk_SSL_CIPHER_free(stack); }
};
using CipherStackPtr = std::unique_ptr<STACK_OF(SSL_CIPHER), CipherStackFree>;
struct X509ObjectStackFree {
    void operator()(STACK_OF(X509_OBJECT)* stack) const noexcept { sk_X509_OBJECT_pop_free(stack, X509_OBJECT_free); }
};
using X509ObjectStackPtr = std::unique_ptr<STACK_OF(X509_OBJECT), X509ObjectStackFree>;

// A stack that borrows its certificates: freeing it leaves them alone.
struct X509StackFree {
    void operator()(STACK_OF(X509)* stack) const noexcept { sk_X509_free(stack); }
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackFree>;

// Memory OpenSSL allocated for us.
struct OpensslFree {
    void operator()(void* p) const noexcept { OPENSSL_free(p); }
};
template <typename T>
using OpensslPtr = std::unique_ptr<T, OpensslFree>;
#if OPENSSL_VERSION_NUMBER < 0x30000000L
// 1.1.1 sets DHE parameters as a DH object; 3.0 deprecates the type.
using DhPtr = std::unique_ptr<DH, FreeWith<&DH_free>>;
#endif

}  // namespace sslfeatures
