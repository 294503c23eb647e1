#include "reflect/groups.hpp"

#include <algorithm>

#include <openssl/err.h>
#include <openssl/ssl.h>

#if OPENSSL_VERSION_NUMBER >= 0x30000000L
#include <openssl/core.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#else
#include <openssl/ec.h>
#include <openssl/objects.h>
#include "util/ossl_ptr.hpp"
#endif

namespace sslfeatures::reflect {
namespace {

void add_once(std::vector<std::string>& names, std::string name) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
        names.push_back(std::move(name));
    }
}

#if OPENSSL_VERSION_NUMBER >= 0x30000000L
struct FoundGroups {
    std::vector<std::string> names;
    std::vector<unsigned int> ids;
};

int add_group(const OSSL_PARAM params[], void* out) {
    auto* found = static_cast<FoundGroups*>(out);
    const OSSL_PARAM* name_param = OSSL_PARAM_locate_const(params, "tls-group-name");
    const OSSL_PARAM* id_param = OSSL_PARAM_locate_const(params, "tls-group-id");
    const char* name = nullptr;
    unsigned int id = 0;
    if (name_param == nullptr || OSSL_PARAM_get_utf8_string_ptr(name_param, &name) != 1 ||
        id_param == nullptr || OSSL_PARAM_get_uint(id_param, &id) != 1) {
        return 1;  // not a group we can name; keep going
    }
    if (std::find(found->ids.begin(), found->ids.end(), id) == found->ids.end()) {
        found->ids.push_back(id);
        add_once(found->names, name);
    }
    return 1;
}
#endif

}  // namespace

// X9.62 calls two curves primeNNNv1 where SEC 2, and so TLS, calls them
// secpNNNr1; the curve objects of X25519 and X448 are capitalised.
std::string tls_group_spelling(std::string name) {
    if (name == "prime192v1") return "secp192r1";
    if (name == "prime256v1") return "secp256r1";
    if (name == "X25519") return "x25519";
    if (name == "X448") return "x448";
    return name;
}

#if OPENSSL_VERSION_NUMBER >= 0x30000000L
// libssl builds its group list from the providers' TLS-GROUP capability;
// reading that directly costs far less than making an SSL_CTX. Providers list
// a group once per alias ("secp256r1", "P-256"): the first name of each group
// id is the one kept.
std::vector<std::string> tls_group_names() {
    FoundGroups found;
    OSSL_PROVIDER_do_all(
        nullptr,
        [](OSSL_PROVIDER* prov, void* arg) -> int {
            OSSL_PROVIDER_get_capabilities(prov, "TLS-GROUP", add_group, arg);
            return 1;
        },
        &found);
    return found.names;
}
#else
// OpenSSL 1.1.1 has a fixed group table and no way to list it: offer each
// built-in curve to an SSL_CTX and keep those it takes. X25519 and X448 are
// not curves in EC_get_builtin_curves(), so they are asked for by name.
std::vector<std::string> tls_group_names() {
    std::vector<std::string> names;
    SslCtxPtr ctx(SSL_CTX_new(TLS_method()));
    if (!ctx) return names;
    auto accepts = [&](const char* name) {
        return name != nullptr && SSL_CTX_set1_groups_list(ctx.get(), name) == 1;
    };
    std::vector<EC_builtin_curve> curves(EC_get_builtin_curves(nullptr, 0));
    EC_get_builtin_curves(curves.data(), curves.size());
    for (const auto& curve : curves) {
        const char* name = OBJ_nid2sn(curve.nid);
        if (accepts(name)) add_once(names, tls_group_spelling(name));
    }
    for (const char* name : {"X25519", "X448"}) {
        if (accepts(name)) add_once(names, tls_group_spelling(name));
    }
    ERR_clear_error();  // each refused name leaves an error on the queue
    return names;
}
#endif

}  // namespace sslfeatures::reflect
