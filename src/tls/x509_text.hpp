// A certificate's names and times as the report and the scan print them.
#pragma once

#include <string>

#include <openssl/x509.h>

namespace sslfeatures::tls {

// RFC 2253: "CN=localhost,O=Example".
std::string rfc2253_name(const X509_NAME* name);

// ISO 8601 in UTC: "2027-01-01T00:00:00Z"; "?" when OpenSSL cannot read it.
std::string utc_time_text(const ASN1_TIME* t);

}  // namespace sslfeatures::tls
