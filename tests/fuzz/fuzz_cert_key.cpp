// Certificate and key loading as the tool does it: `server -s CERT` and
// `client -c CERT` (chain and private key from one PEM file) and `--cafile`
// (trusted CAs; a server also lists their names to clients), all through
// make_secure_context(), with the input as the file. Expected failure: the
// Error that says which file is bad.
#include <cstdint>

#include "util/error.hpp"
#include "fuzz_support.hpp"
#include "tls/context.hpp"

namespace {

using namespace sslfeatures;

void load(const tls::ContextOptions& o) {
    try {
        (void)tls::make_secure_context(o);
    } catch (const Error&) {
        // "cannot load certificate ...", exit 2
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // Made once: the library opens it by name, as it opens the user's files.
    static fuzz::ScratchFile file("fuzz_cert_key.pem");
    file.write(fuzz::as_text(data, size));

    tls::ContextOptions identity;
    identity.role = tls::Role::server;
    identity.cert_file = file.path();
    load(identity);

    // The server reads a CA file twice: as trust anchors and as the names it
    // sends in CertificateRequest (SSL_load_client_CA_file).
    tls::ContextOptions trust;
    trust.role = tls::Role::server;
    trust.ca_file = file.path();
    load(trust);
    return 0;
}
