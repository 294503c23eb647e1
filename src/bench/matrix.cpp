#include "bench/matrix.hpp"

#include <algorithm>
#include <map>

#include <strings.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "bench/pair.hpp"
#include "util/error.hpp"
#include "reflect/groups.hpp"
#include "util/ossl_ptr.hpp"
#include "tls/versions.hpp"

namespace sslfeatures::bench {
namespace {

// How a TLS 1.2 (and older) suite agrees on keys and proves the server's.
enum class Family { ecdhe_ecdsa, ecdhe_rsa, dhe_rsa, rsa, other };

struct Suite {
    std::string name;
    std::string standard_name;
    Family family = Family::other;
    int min_version = 0;
    bool cbc = false;  // CBC with an HMAC: encrypt-then-MAC applies
};

// The oldest version a suite works with, from the name the library gives it.
int min_version(const SSL_CIPHER* cipher) {
    const std::string_view v = SSL_CIPHER_get_version(cipher);
    if (v == "TLSv1.3") return TLS1_3_VERSION;
    if (v == "TLSv1.2") return TLS1_2_VERSION;
    return TLS1_VERSION;  // "TLSv1.0", "SSLv3": usable from TLS 1.0 on
}

Family family_of(const SSL_CIPHER* cipher) {
    const int kx = SSL_CIPHER_get_kx_nid(cipher);
    const int auth = SSL_CIPHER_get_auth_nid(cipher);
    if (kx == NID_kx_ecdhe && auth == NID_auth_ecdsa) return Family::ecdhe_ecdsa;
    if (kx == NID_kx_ecdhe && auth == NID_auth_rsa) return Family::ecdhe_rsa;
    if (kx == NID_kx_dhe && auth == NID_auth_rsa) return Family::dhe_rsa;
    if (kx == NID_kx_rsa && auth == NID_auth_rsa) return Family::rsa;
    return Family::other;
}

// The suites a context with the library's defaults enables, in its order:
// TLS 1.3 suites first, then the four TLS 1.2 families the issue names.
struct LibrarySuites {
    std::vector<Suite> tls13;
    std::vector<Suite> tls12;
};

const LibrarySuites& library_suites() {
    static const LibrarySuites suites = [] {
        LibrarySuites s;
        SslCtxPtr ctx(SSL_CTX_new(TLS_method()));
        if (!ctx) return s;
        STACK_OF(SSL_CIPHER)* list = SSL_CTX_get_ciphers(ctx.get());
        for (int i = 0; i < sk_SSL_CIPHER_num(list); ++i) {
            const SSL_CIPHER* c = sk_SSL_CIPHER_value(list, i);
            Suite suite{SSL_CIPHER_get_name(c), SSL_CIPHER_standard_name(c), family_of(c),
                        min_version(c), SSL_CIPHER_get_digest_nid(c) != NID_undef};
            if (suite.min_version == TLS1_3_VERSION) {
                s.tls13.push_back(std::move(suite));
            } else if (suite.family != Family::other) {
                s.tls12.push_back(std::move(suite));
            }
        }
        return s;
    }();
    return suites;
}

bool has_group(const Group& group) {
    if (group.id == "rsa") return true;
    static const std::vector<std::string> names = reflect::tls_group_names();
    return std::any_of(names.begin(), names.end(), [&](const std::string& n) {
        return strcasecmp(n.c_str(), std::string(group.tls_name).c_str()) == 0;
    });
}

bool compiled_in(int version) {
    SslCtxPtr ctx(SSL_CTX_new(TLS_method()));
    const bool ok = ctx && SSL_CTX_set_min_proto_version(ctx.get(), version) == 1 &&
                    SSL_CTX_set_max_proto_version(ctx.get(), version) == 1;
    ERR_clear_error();
    return ok;
}

constexpr int kVersions[] = {TLS1_3_VERSION, TLS1_2_VERSION, TLS1_1_VERSION, TLS1_VERSION};

std::vector<tls::KeyType> keys_for(Family family, int version) {
    std::vector<tls::KeyType> keys;
    for (tls::KeyType key : tls::kKeyTypes) {
        const bool rsa = tls::is_rsa(key);
        if (family == Family::ecdhe_ecdsa ? rsa : !rsa) continue;
        // Ed25519 signatures exist from TLS 1.2 on.
        if (key == tls::KeyType::ed25519 && version < TLS1_2_VERSION) continue;
        keys.push_back(key);
    }
    return keys;
}

std::vector<std::string> groups_for(Family family) {
    if (family == Family::dhe_rsa) return {"ffdhe2048"};
    if (family == Family::rsa) return {"rsa"};
    return {"x25519", "p-256", "p-384"};
}

bool matches(const std::vector<std::string>& wanted, std::string_view value,
             std::string_view alias = {}) {
    if (wanted.empty()) return true;
    return std::any_of(wanted.begin(), wanted.end(), [&](const std::string& w) {
        return strcasecmp(w.c_str(), std::string(value).c_str()) == 0 ||
               (!alias.empty() && strcasecmp(w.c_str(), std::string(alias).c_str()) == 0);
    });
}

struct Builder {
    const Selection& selection;
    Matrix matrix;

    bool selected(const Case& c, const Suite& suite) const {
        return matches(selection.protocols, tls::protocol_id(c.version)) &&
               matches(selection.ciphers, suite.name, suite.standard_name) &&
               matches(selection.keys, tls::key_type_name(c.key)) &&
               matches(selection.groups, c.group) && matches(selection.modes, mode_name(c.mode));
    }

    void add(const Case& c, const Suite& suite) {
        if (selected(c, suite)) matrix.cases.push_back(c);
    }

    // TLS 1.3: every suite, key, group (the library's) and both modes.
    void tls13() {
        for (const Suite& suite : library_suites().tls13) {
            for (tls::KeyType key : tls::kKeyTypes) {
                for (const Group& group : all_groups()) {
                    if (group.id == "rsa" || !has_group(group)) continue;
                    for (Mode mode : {Mode::full, Mode::ticket}) {
                        add({TLS1_3_VERSION, suite.name, key, std::string(group.id), mode, false}, suite);
                    }
                }
            }
        }
    }

    // TLS 1.2 and older: a full handshake per group; a resumed one runs no
    // key exchange, so it is measured once, after a handshake with the first.
    void older(int version, const std::vector<Suite>& suites) {
        const bool sl0 = version < TLS1_2_VERSION;
        for (const Suite& suite : suites) {
            for (tls::KeyType key : keys_for(suite.family, version)) {
                const auto groups = groups_for(suite.family);
                for (const std::string& group : groups) {
                    add({version, suite.name, key, group, Mode::full, sl0}, suite);
                }
                for (Mode mode : {Mode::session_id, Mode::ticket}) {
                    add({version, suite.name, key, groups.front(), mode, sl0}, suite);
                }
            }
        }
    }

    // TLS 1.1 and 1.0: the first suite of each family that the version allows.
    std::vector<Suite> legacy_suites(int version) const {
        std::vector<Suite> picked;
        for (const Suite& suite : library_suites().tls12) {
            const bool seen = std::any_of(picked.begin(), picked.end(),
                                          [&](const Suite& p) { return p.family == suite.family; });
            if (!seen && suite.min_version <= version) picked.push_back(suite);
        }
        return picked;
    }

    bool tls13_suite_selected() const {
        for (const Suite& suite : library_suites().tls13) {
            if (matches(selection.ciphers, suite.name, suite.standard_name)) return true;
        }
        return false;
    }

    void skip(std::string name, std::string reason) {
        matrix.skipped.push_back({std::move(name), std::move(reason)});
    }

    void run() {
        const bool wants_tls13 = matches(selection.protocols, "tls1.3");
        if (wants_tls13 && compiled_in(TLS1_3_VERSION)) tls13();
        if (wants_tls13 && tls13_suite_selected()) {
            for (const Group& group : all_groups()) {
                if (!has_group(group) && matches(selection.groups, group.id)) {
                    skip(fmt::format("tls1.3/*/*/{}/*", group.id),
                         fmt::format("this library offers no {} group", group.openssl));
                }
            }
        }
        if (matches(selection.protocols, "tls1.2") && compiled_in(TLS1_2_VERSION)) {
            older(TLS1_2_VERSION, library_suites().tls12);
        }
        for (int version : {TLS1_1_VERSION, TLS1_VERSION}) {
            if (!matches(selection.protocols, tls::protocol_id(version))) continue;
            const std::string pattern = fmt::format("{}@seclevel0/*/*/*/*", tls::protocol_id(version));
            if (!compiled_in(version)) {
                skip(pattern, "not built into this library");
            } else if (std::string why = negotiation_failure(version); !why.empty()) {
                skip(pattern, fmt::format("this library no longer negotiates it, even at security level 0 ({})", why));
            } else {
                older(version, legacy_suites(version));
            }
        }
    }
};

std::string joined(const std::vector<std::string>& items) {
    return fmt::format("{}", fmt::join(items, ", "));
}

void check_values(const std::vector<std::string>& asked, const std::vector<std::string>& valid,
                  std::string_view kind, std::string_view plural, bool (*same)(const std::string&, const std::string&)) {
    for (const std::string& value : asked) {
        const bool known = std::any_of(valid.begin(), valid.end(),
                                       [&](const std::string& v) { return same(value, v); });
        if (!known) {
            throw Error(kUsage, fmt::format("unknown or unavailable {} '{}'; this library offers {}: {}",
                                                      kind, value, plural, joined(valid)));
        }
    }
}

bool same_name(const std::string& a, const std::string& b) {
    return strcasecmp(a.c_str(), b.c_str()) == 0;
}

}  // namespace

std::string_view mode_name(Mode mode) {
    switch (mode) {
        case Mode::full: return "full";
        case Mode::session_id: return "session-id";
        case Mode::ticket: return "ticket";
    }
    return "?";
}

const std::vector<Group>& all_groups() {
    static const std::vector<Group> groups = {
        {"x25519", "X25519", "x25519"},
        {"p-256", "P-256", "secp256r1"},
        {"p-384", "P-384", "secp384r1"},
        {"ffdhe2048", "ffdhe2048", "ffdhe2048"},
        {"x25519mlkem768", "X25519MLKEM768", "X25519MLKEM768"},
        {"rsa", "", ""},
    };
    return groups;
}

const Group* find_group(std::string_view id) {
    for (const Group& g : all_groups()) {
        if (g.id == id) return &g;
    }
    return nullptr;
}

std::string Case::name() const {
    return fmt::format("{}{}/{}/{}/{}/{}", tls::protocol_id(version), seclevel0 ? "@seclevel0" : "", cipher,
                       tls::key_type_name(key), group, mode_name(mode));
}

Choices available_choices() {
    Choices c;
    for (int version : kVersions) {
        if (compiled_in(version)) c.protocols.emplace_back(tls::protocol_id(version));
    }
    for (const Suite& s : library_suites().tls13) c.ciphers.push_back(s.name);
    for (const Suite& s : library_suites().tls12) c.ciphers.push_back(s.name);
    for (tls::KeyType key : tls::kKeyTypes) c.keys.emplace_back(tls::key_type_name(key));
    for (const Group& g : all_groups()) {
        if (has_group(g)) c.groups.emplace_back(g.id);
    }
    for (Mode m : kModes) c.modes.emplace_back(mode_name(m));
    return c;
}

void check_selection(const Selection& s) {
    const Choices c = available_choices();
    check_values(s.protocols, c.protocols, "protocol", "protocols", same_name);
    // A suite may be named by OpenSSL's name or the IANA one.
    std::vector<std::string> suite_names = c.ciphers;
    for (const auto* list : {&library_suites().tls13, &library_suites().tls12}) {
        for (const Suite& suite : *list) suite_names.push_back(suite.standard_name);
    }
    for (const std::string& cipher : s.ciphers) {
        if (std::none_of(suite_names.begin(), suite_names.end(),
                         [&](const std::string& n) { return same_name(cipher, n); })) {
            check_values({cipher}, c.ciphers, "cipher suite", "suites", same_name);
        }
    }
    check_values(s.keys, c.keys, "key", "keys", same_name);
    check_values(s.groups, c.groups, "group", "groups", same_name);
    check_values(s.modes, c.modes, "mode", "modes", same_name);
}

Matrix build_matrix(const Selection& selection) {
    if (selection.quick) {
        Matrix quick;
        for (const Case& c : quick_cases()) {
            Suite suite{c.cipher, c.cipher, Family::other, c.version};
            if (Builder{selection, {}}.selected(c, suite)) quick.cases.push_back(c);
        }
        return quick;
    }
    Builder builder{selection, {}};
    builder.run();
    return std::move(builder.matrix);
}

std::vector<Case> suite_cases(const Selection& selection) {
    const Builder builder{selection, {}};
    std::vector<Case> cases;
    for (const Suite& suite : library_suites().tls13) {
        const Case c{TLS1_3_VERSION, suite.name, tls::KeyType::ecdsa_p256, "x25519", Mode::full, false};
        if (builder.selected(c, suite)) cases.push_back(c);
    }
    for (const Suite& suite : library_suites().tls12) {
        const tls::KeyType key = suite.family == Family::ecdhe_ecdsa ? tls::KeyType::ecdsa_p256 : tls::KeyType::rsa2048;
        const Case c{TLS1_2_VERSION, suite.name, key, groups_for(suite.family).front(), Mode::full, false};
        if (builder.selected(c, suite)) cases.push_back(c);
    }
    return cases;
}

bool is_cbc_suite(const std::string& cipher) {
    for (const auto* list : {&library_suites().tls13, &library_suites().tls12}) {
        for (const Suite& suite : *list) {
            if (suite.name == cipher) return suite.cbc;
        }
    }
    return false;
}

std::vector<Case> quick_cases() {
    const LibrarySuites& suites = library_suites();
    std::vector<Case> cases;
    for (tls::KeyType key : {tls::KeyType::rsa2048, tls::KeyType::ecdsa_p256}) {
        for (Mode mode : {Mode::full, Mode::ticket}) {
            if (!suites.tls13.empty()) {
                cases.push_back({TLS1_3_VERSION, suites.tls13.front().name, key, "x25519", mode, false});
            }
        }
    }
    for (tls::KeyType key : {tls::KeyType::rsa2048, tls::KeyType::ecdsa_p256}) {
        const Family family = key == tls::KeyType::rsa2048 ? Family::ecdhe_rsa : Family::ecdhe_ecdsa;
        auto it = std::find_if(suites.tls12.begin(), suites.tls12.end(),
                               [&](const Suite& s) { return s.family == family; });
        if (it == suites.tls12.end()) continue;
        for (Mode mode : {Mode::full, Mode::ticket}) {
            cases.push_back({TLS1_2_VERSION, it->name, key, "x25519", mode, false});
        }
    }
    return cases;
}

}  // namespace sslfeatures::bench
