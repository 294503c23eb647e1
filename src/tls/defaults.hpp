// What `sslfeatures defaults` reports, as a model: our secure client and
// server contexts and the library's own TLS_method() context, each made
// afresh and read back (tls/context_facts.hpp), with their bit sets named
// from the constants catalogue, and the JSON document `defaults -f json`
// prints and every snapshot embeds. render/defaults_report.hpp prints it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "reflect/catalogue.hpp"
#include "reflect/configuration.hpp"
#include "tls/context_facts.hpp"

namespace sslfeatures::tls {

inline constexpr std::string_view kDefaultsSchema = "sslfeatures/defaults";
// 2: signature schemes by their IANA names; host_name_check and
// subject_cn_fallback added.
inline constexpr int kDefaultsSchemaVersion = 2;

struct DefaultsPart {
    std::string id;     // the JSON key: "client", "server", "library_default"
    std::string title;  // the text section's title
    ContextFacts facts;
};

// A bit set with the names of its bits, from one category of the constants
// catalogue.
struct NamedBits {
    std::uint64_t value = 0;
    std::vector<std::string> names;  // in bit order
    std::uint64_t unnamed = 0;       // set bits no single-bit constant names
};

class BitNamer {
  public:
    BitNamer();  // builds the catalogue sections it needs, once

    // Names every set bit with the single-bit constants of `category` (masks
    // and zero-valued constants name no bit). A value of 0 is called
    // `zero_name` when the category holds that constant with value 0.
    NamedBits name(std::string_view category, std::uint64_t value,
                   std::string_view zero_name = {}) const;

  private:
    reflect::Catalogue catalogue_;
};

// Our secure client and server contexts and the library's TLS_method()
// context, each made afresh and read back.
std::vector<DefaultsPart> live_defaults_parts();

// A protocol bound as set, and the version in effect where the ClientHello
// shows it: the lowest is known only when the hello listed them all.
struct Bound {
    int value = 0;
    std::optional<int> effective;
};
Bound min_bound(const ContextFacts& facts);
Bound max_bound(const ContextFacts& facts);

// The two bit sets whose 0 has a name of its own.
NamedBits verify_mode_bits(const ContextFacts& facts, const BitNamer& namer);
NamedBits cache_mode_bits(const ContextFacts& facts, const BitNamer& namer);

// The document: its head, the configuration the library runs under
// (reflect/configuration.hpp) when given, then each part by its id.
nlohmann::ordered_json defaults_json(const std::vector<DefaultsPart>& parts, const BitNamer& namer,
                                     const reflect::Configuration* config = nullptr);

}  // namespace sslfeatures::tls
