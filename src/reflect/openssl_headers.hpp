// The OpenSSL headers whose macros the constants catalogue reflects.
//
// scripts/gen_catalogue.py runs the preprocessor over this file (-dM) to learn
// every macro name, and the generated catalogue includes it again so the
// compiler evaluates each value against exactly the same declarations.
#pragma once

#include <openssl/opensslv.h>
#include <openssl/opensslconf.h>
#include <openssl/ssl.h>
#include <openssl/tls1.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

// Headers that only newer releases ship.
#if defined(__has_include)
#  if __has_include(<openssl/quic.h>)
#    include <openssl/quic.h>
#  endif
#  if __has_include(<openssl/ech.h>)
#    include <openssl/ech.h>
#  endif
#endif
