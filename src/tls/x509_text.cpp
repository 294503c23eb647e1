#include "tls/x509_text.hpp"

#include <ctime>

#include "util/openssl_text.hpp"
#include "util/ossl_ptr.hpp"

namespace sslfeatures::tls {

std::string rfc2253_name(const X509_NAME* name) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
    return memory_bio_text(bio.get());
}

std::string utc_time_text(const ASN1_TIME* t) {
    std::tm tm{};
    if (ASN1_TIME_to_tm(t, &tm) != 1) return "?";
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace sslfeatures::tls
