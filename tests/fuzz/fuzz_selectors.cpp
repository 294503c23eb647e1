// The selectors a user types: `bench --protocol/--cipher/--key/--group/--mode`
// and the matrix they narrow, and the client's and server's --protocol,
// --cipher (OpenSSL or IANA names) and --groups. Only parsing and context or
// matrix building: no handshake runs.
//
// Input: fields separated by '\n', in this order; within a field, values
// separated by ',' as the command line splits them.
//   0 bench --protocol   1 bench --cipher   2 bench --key   3 bench --group
//   4 bench --mode       5 bench --quick (any text: on)
//   6 --protocol         7 --cipher         8 --groups       (client/server)
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <strings.h>

#include "bench/matrix.hpp"
#include "util/error.hpp"
#include "fuzz_support.hpp"
#include "tls/context.hpp"
#include "tls/pki.hpp"
#include "tls/versions.hpp"

namespace {

using namespace sslfeatures;

[[noreturn]] void finding(const char* what, const std::string& value) {
    std::fprintf(stderr, "%s: '%s'\n", what, value.c_str());
    std::abort();
}

std::string field(const std::vector<std::string>& fields, std::size_t i) {
    return i < fields.size() ? fields[i] : std::string();
}

// A value list as CLI11 hands it over: no option, no values.
std::vector<std::string> values(const std::vector<std::string>& fields, std::size_t i) {
    const std::string f = field(fields, i);
    return f.empty() ? std::vector<std::string>{} : fuzz::split(f, ',');
}

// A name the parsers accept must name the thing they return.
void check_name_parsers(const std::string& value) {
    if (auto key = tls::parse_key_type(value); key && tls::parse_key_type(tls::key_type_name(*key)) != key) {
        finding("key type name does not parse back", value);
    }
    if (auto version = tls::parse_protocol(value);
        version && tls::parse_protocol_id(tls::protocol_id(*version)) != version) {
        finding("protocol does not parse back", value);
    }
    if (const bench::Group* g = bench::find_group(value); g && g->id != value) finding("find_group", value);
}

// TLS 1.1 and 1.0 make build_matrix() try a handshake to see whether the
// library still negotiates them; a selector target must not. False when
// nothing else is left, since an empty list would select every protocol.
bool without_legacy_protocols(std::vector<std::string>& protocols) {
    if (protocols.empty()) {
        protocols = {"tls1.3", "tls1.2"};
        return true;
    }
    std::erase_if(protocols, [](const std::string& p) {
        return strcasecmp(p.c_str(), "tls1.1") == 0 || strcasecmp(p.c_str(), "tls1.0") == 0;
    });
    return !protocols.empty();
}

// `sslfeatures bench`: check the selectors, as run_bench() does, then build.
void bench_selectors(const std::vector<std::string>& fields) {
    bench::Selection s{values(fields, 0), values(fields, 1), values(fields, 2),
                       values(fields, 3), values(fields, 4), !field(fields, 5).empty()};
    try {
        bench::check_selection(s);
    } catch (const Error&) {
        return;  // "unknown or unavailable ...", exit 2
    }
    if (!without_legacy_protocols(s.protocols)) return;
    for (const bench::Case& c : bench::build_matrix(s).cases) (void)c.name();
}

// `sslfeatures client/server --protocol --cipher --groups`: the CLI accepts
// only a --protocol that parse_protocol() knows; the rest reach OpenSSL.
void context_selectors(const std::vector<std::string>& fields) {
    tls::ContextOptions o;
    o.role = tls::Role::server;  // no certificate, no system CA store to read
    const std::string protocol = field(fields, 6);
    if (!protocol.empty()) {
        o.protocol = tls::parse_protocol(protocol);
        if (!o.protocol) return;
    }
    tls::set_cipher_option(o, field(fields, 7));
    o.groups = field(fields, 8);
    try {
        (void)tls::make_secure_context(o);
    } catch (const Error&) {
        // "no usable TLS 1.2 cipher ..." and the like, exit 2
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::vector<std::string> fields = fuzz::split(fuzz::as_text(data, size), '\n');
    for (const std::string& f : fields) {
        for (const std::string& v : fuzz::split(f, ',')) check_name_parsers(v);
    }
    bench_selectors(fields);
    context_selectors(fields);
    return 0;
}
