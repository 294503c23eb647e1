// Owning pointers for OpenSSL objects: each type is freed by its own function,
// so no code path frees by hand and an early return cannot leak.
#pragma once

#include <memory>

#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace sslfeatures::tls {

template <auto Free>
struct FreeWith {
    template <typename T>
    void operator()(T* p) const noexcept { Free(p); }
};

using SslCtxPtr = std::unique_ptr<SSL_CTX, FreeWith<&SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, FreeWith<&SSL_free>>;
using BioPtr = std::unique_ptr<BIO, FreeWith<&BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, FreeWith<&X509_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, FreeWith<&EVP_PKEY_free>>;

}  // namespace sslfeatures::tls
