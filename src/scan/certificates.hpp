// The certificates a scan brought back, judged without the network, as our
// secure client would judge them: the trust store (or the user's CA file) at
// security level 2, for the server's purpose, and the target's host name.
#pragma once

#include <string>
#include <vector>

#include "scan/scan.hpp"
#include "util/ossl_ptr.hpp"

namespace sslfeatures::scan {

// The system's trust store, or `ca_file`'s certificates. Throws Error(kUsage)
// naming the file when it cannot be read.
X509StorePtr trust_store(const std::string& ca_file);

// SHA-256 of the DER, lowercase hex: what tells two leaves apart.
std::string sha256_fingerprint(X509* cert);

// Fills every field of `c` but served_for from `chain` (leaf first, as sent).
void describe_certificate(CertificateResult& c, const std::vector<X509Ptr>& chain, X509_STORE* store,
                          const std::string& host);

}  // namespace sslfeatures::scan
