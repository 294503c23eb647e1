#include "reflect/configuration.hpp"

#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>

#include <sys/stat.h>

#include <fmt/format.h>
#include <openssl/conf.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/opensslv.h>
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
#include <openssl/core_names.h>
#include <openssl/provider.h>
#endif

#include "util/error.hpp"
#include "util/openssl_text.hpp"
#include "util/ossl_ptr.hpp"

namespace sslfeatures::reflect {
namespace {

std::string& problem() {
    static std::string text;
    return text;
}

bool named_by_environment() {
    const char* env = std::getenv("OPENSSL_CONF");
    return env != nullptr && *env != '\0';
}

std::string default_file() {
    OpensslPtr<char> path(CONF_get1_default_config_file());
    return path ? std::string(path.get()) : std::string();
}

bool exists(const std::string& path) {
    struct stat st {};
    return !path.empty() && ::stat(path.c_str(), &st) == 0;
}

// The file as NCONF reads it (.include followed); null when unreadable.
ConfPtr parse(const std::string& file) {
    ConfPtr conf(NCONF_new(nullptr));
    long line = 0;
    if (!conf || NCONF_load(conf.get(), file.c_str(), &line) <= 0) {
        ERR_clear_error();
        return nullptr;
    }
    return conf;
}

// A module's settings: a value that names a section is descended into, as
// the modules themselves do (ssl_conf -> system_default -> its settings).
void collect(CONF* conf, const std::string& prefix, const char* section, int depth,
             std::vector<ConfigSetting>& out) {
    STACK_OF(CONF_VALUE)* values = NCONF_get_section(conf, section);
    if (values == nullptr || depth > 4) return;
    for (int i = 0; i < sk_CONF_VALUE_num(values); ++i) {
        const CONF_VALUE* v = sk_CONF_VALUE_value(values, i);
        const std::string name = prefix + "." + v->name;
        if (depth < 4 && NCONF_get_section(conf, v->value) != nullptr) {
            collect(conf, name, v->value, depth + 1, out);
        } else {
            out.push_back({name, v->value});
        }
    }
    ERR_clear_error();
}

std::vector<ConfigSetting> settings_of(const std::string& file) {
    std::vector<ConfigSetting> out;
    const auto conf = parse(file);
    if (!conf) return out;
    // The application section the library uses, as OpenSSL names it.
    const char* init = NCONF_get_string(conf.get(), nullptr, "openssl_conf");
    ERR_clear_error();
    if (init == nullptr) return out;
    STACK_OF(CONF_VALUE)* modules = NCONF_get_section(conf.get(), init);
    for (int i = 0; modules != nullptr && i < sk_CONF_VALUE_num(modules); ++i) {
        const CONF_VALUE* m = sk_CONF_VALUE_value(modules, i);
        if (NCONF_get_section(conf.get(), m->value) != nullptr) {
            collect(conf.get(), m->name, m->value, 1, out);
        } else {
            out.push_back({m->name, m->value});
        }
    }
    ERR_clear_error();
    return out;
}

// ".include [=] PATH" lines: OpenSSL 3 skips a missing target in silence.
// Relative paths are read as OpenSSL does: from $OPENSSL_CONF_INCLUDE, else
// from the working directory.
std::string missing_include(const std::string& file, int depth) {
    std::ifstream in(file);
    const std::regex include(R"(^\s*\.include\s*=?\s*(.*\S)\s*$)");
    const char* base = std::getenv("OPENSSL_CONF_INCLUDE");
    int number = 0;
    for (std::string line; std::getline(in, line);) {
        ++number;
        std::smatch m;
        if (!std::regex_match(line, m, include)) continue;
        std::string target = m[1];
        if (target.front() != '/' && base != nullptr && *base != '\0') target = std::string(base) + "/" + target;
        if (!exists(target)) {
            return fmt::format("the OpenSSL configuration '{}' line {} includes '{}', which does not exist; "
                               "fix the .include or create the file",
                               file, number, target);
        }
        if (depth < 8) {
            if (std::string deeper = missing_include(target, depth + 1); !deeper.empty()) return deeper;
        }
    }
    return {};
}

#if OPENSSL_VERSION_NUMBER >= 0x30000000L
bool truthy(const std::string& value) {
    return value != "0" && value != "no" && value != "false" && value != "off" && value != "n";
}

// A provider the file activates that is not running: 3.0 only notices when
// nothing can do TLS ("library has no ciphers").
std::string missing_provider(const std::string& file) {
    const std::vector<ConfigSetting> settings = settings_of(file);
    std::set<std::string> loaded;
    for (const Provider& p : loaded_providers()) loaded.insert(p.name);
    const std::regex activate(R"(^providers\.([^.]+)\.activate$)");
    for (const ConfigSetting& s : settings) {
        std::smatch m;
        if (!std::regex_match(s.name, m, activate) || !truthy(s.value)) continue;
        std::string name = m[1];
        for (const ConfigSetting& t : settings) {
            if (t.name == "providers." + name + ".identity") name = t.value;
        }
        if (loaded.count(name) == 0) {
            return fmt::format("the OpenSSL configuration '{}' activates the provider '{}', which did not load "
                               "(no such module, or it failed); fix its section or remove it",
                               file, name);
        }
    }
    return {};
}
#endif

}  // namespace

std::string load_configuration() {
    const std::string file = default_file();
    const bool named = named_by_environment();
    if (named && !exists(file)) {
        problem() = fmt::format("the OpenSSL configuration '{}' named by OPENSSL_CONF does not exist; "
                                "fix OPENSSL_CONF or unset it",
                                file);
        return problem();
    }
    const InitSettingsPtr settings(OPENSSL_INIT_new());
    if (!settings) return problem() = "cannot set up OpenSSL's initialisation: out of memory";
    // As OpenSSL's own first use loads it, minus "ignore errors".
    OPENSSL_INIT_set_config_file_flags(settings.get(), CONF_MFLAGS_DEFAULT_SECTION | CONF_MFLAGS_IGNORE_MISSING_FILE);
    const int ok = OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, settings.get());
    if (ok == 1 && exists(file)) {
        problem() = missing_include(file, 0);
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
        if (problem().empty()) problem() = missing_provider(file);
#endif
    } else if (ok != 1) {
        problem() = fmt::format("the OpenSSL configuration '{}'{} cannot be loaded: {}; fix the file{}", file,
                                named ? " (from OPENSSL_CONF)" : "", openssl_error_details(),
                                named ? " or point OPENSSL_CONF at another" : " or point OPENSSL_CONF at a good one");
    }
    return problem();
}

void require_configuration() {
    if (!problem().empty()) throw Error(kConfig, problem());
}

std::vector<Provider> loaded_providers() {
    std::vector<Provider> out;
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    // OSSL_PROVIDER_do_all activates the fallback (default) provider first, so
    // this shows what a program that does nothing special gets.
    OSSL_PROVIDER_do_all(
        nullptr,
        [](OSSL_PROVIDER* prov, void* arg) -> int {
            const char* version = nullptr;
            OSSL_PARAM request[] = {
                OSSL_PARAM_construct_utf8_ptr(OSSL_PROV_PARAM_VERSION, const_cast<char**>(&version), 0),
                OSSL_PARAM_construct_end()};
            const bool has_version = OSSL_PROVIDER_get_params(prov, request) == 1 && version != nullptr;
            static_cast<std::vector<Provider>*>(arg)->push_back(
                {OSSL_PROVIDER_get0_name(prov), has_version ? version : ""});
            return 1;
        },
        &out);
#endif
    return out;
}

nlohmann::ordered_json configuration_json(const Configuration& c) {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    if (!c.file.empty()) j["file"] = c.file;
    if (!c.chosen_by.empty()) j["chosen_by"] = c.chosen_by;
    j["present"] = c.present;
    j["settings"] = nlohmann::ordered_json::object();
    for (const ConfigSetting& s : c.settings) j["settings"][s.name] = s.value;
    j["providers"] = nlohmann::ordered_json::object();
    for (const Provider& p : c.providers) j["providers"][p.name] = p.version;
    return j;
}

Configuration read_configuration() {
    Configuration c;
    c.file = default_file();
    c.chosen_by = named_by_environment() ? "OPENSSL_CONF" : "default";
    c.present = exists(c.file);
    if (c.present) c.settings = settings_of(c.file);
    c.providers = loaded_providers();
    return c;
}

}  // namespace sslfeatures::reflect
