// OpenSSL's configuration (openssl.cnf): loading it with its errors reported,
// and reading back what it asks of the library and which providers run.
//
// OpenSSL loads the file at first use and, by default, ignores every error in
// it: a typo in system_default silently leaves the library on its built-in
// defaults. We load it ourselves first, with errors on, so a broken file is
// one clear line (file, line, reason) and exit 4, never a silent fallback.
#pragma once

#include <string>

#include <nlohmann/json.hpp>
#include <vector>

namespace sslfeatures::reflect {

// Loads the configuration as the library's first use would, but with errors
// reported. Call before any other OpenSSL call. Returns "" on success, else
// the one-line problem; require_configuration() throws it later, so commands
// that never touch the library (diff of two files, --help) still run.
std::string load_configuration();

// Throws Error(kConfig) with the problem load_configuration() found, if any.
void require_configuration();

// One setting the file makes, named by the path from its module down:
// "ssl_conf.system_default.MinProtocol", "providers.legacy.activate",
// "alg_section.default_properties".
struct ConfigSetting {
    std::string name;
    std::string value;
};

struct Provider {
    std::string name;     // "default", "legacy", "fips"
    std::string version;  // the provider's own, "" when it gives none
};

struct Configuration {
    std::string file;       // the file the library reads
    std::string chosen_by;  // "OPENSSL_CONF" or "default"
    bool present = false;   // false: no file there, built-in defaults only
    std::vector<ConfigSetting> settings;  // in the file's order, .include followed
    std::vector<Provider> providers;      // loaded now (none before 3.0)
};

Configuration read_configuration();

// {"file", "chosen_by", "present", "settings": {name: value}, "providers":
// {name: version}}; file and chosen_by are left out when empty (a portable
// snapshot drops them: they name this machine's paths).
nlohmann::ordered_json configuration_json(const Configuration& c);

// The providers loaded now, as a program that does nothing special gets them.
std::vector<Provider> loaded_providers();

}  // namespace sslfeatures::reflect
