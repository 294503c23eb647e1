#include "tls/peer_names.hpp"

#include <algorithm>

#include <arpa/inet.h>
#include <openssl/x509v3.h>

#include "util/ossl_ptr.hpp"

namespace sslfeatures::tls {
namespace {

std::string ip_text(const ASN1_OCTET_STRING* ip) {
    char buf[INET6_ADDRSTRLEN] = "";
    const unsigned char* data = ASN1_STRING_get0_data(ip);
    int len = ASN1_STRING_length(ip);
    if (len == 4) inet_ntop(AF_INET, data, buf, sizeof buf);
    else if (len == 16) inet_ntop(AF_INET6, data, buf, sizeof buf);
    return buf;
}

std::string asn1_text(const ASN1_STRING* s) {
    unsigned char* utf8 = nullptr;
    const int len = ASN1_STRING_to_UTF8(&utf8, s);
    const OpensslPtr<unsigned char> owned(utf8);
    if (len < 0) return {};
    return std::string(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
}

}  // namespace

std::vector<std::string> CertificateNames::all() const {
    std::vector<std::string> out;
    for (const auto* list : {&common_names, &dns, &ips}) {
        for (const std::string& n : *list) {
            if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
        }
    }
    return out;
}

CertificateNames certificate_names(X509* cert) {
    CertificateNames names;
    if (cert == nullptr) return names;
    auto* subject = X509_get_subject_name(cert);  // const from 4.0 on
    for (int i = -1; (i = X509_NAME_get_index_by_NID(subject, NID_commonName, i)) >= 0;) {
        names.common_names.push_back(asn1_text(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i))));
    }
    const GeneralNamesPtr sans(
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
    for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans.get()); ++i) {
        const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans.get(), i);
        if (gn->type == GEN_DNS) names.dns.push_back(asn1_text(gn->d.dNSName));
        if (gn->type == GEN_IPADD) names.ips.push_back(ip_text(gn->d.iPAddress));
    }
    return names;
}

X509* peer_certificate(SSL* ssl) {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    return SSL_get1_peer_certificate(ssl);
#else
    return SSL_get_peer_certificate(ssl);
#endif
}

std::vector<std::string> peer_certificate_names(SSL* ssl) {
    X509Ptr cert(peer_certificate(ssl));
    return certificate_names(cert.get()).all();
}

}  // namespace sslfeatures::tls
