#include "reflect/library_info.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#include <openssl/x509.h>

#if OPENSSL_VERSION_NUMBER >= 0x30000000L
#include <openssl/conf.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#endif

#include "reflect/configuration.hpp"
#include "sslfeatures_config.hpp"
#include "util/ossl_ptr.hpp"

namespace sslfeatures::reflect {
namespace {

// OpenSSL_version() answers "OPENSSLDIR: \"/usr/lib/ssl\"", "platform: x" and
// so on; the label and quotes are noise in a key/value table.
std::string without_label(std::string_view text) {
    if (auto colon = text.find(": "); colon != std::string_view::npos) {
        text.remove_prefix(colon + 2);
    }
    if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
        text = text.substr(1, text.size() - 2);
    }
    return std::string(text);
}

Row info(std::string name, std::string text, std::string description) {
    return Row{.name = std::move(name),
               .value = {},
               .text = std::move(text),
               .source = {},
               .description = std::move(description)};
}

#if OPENSSL_VERSION_NUMBER >= 0x30000000L
std::string provider_list() {
    std::vector<std::string> names;
    for (const Provider& p : loaded_providers()) names.push_back(p.version.empty() ? p.name : p.name + " " + p.version);
    return names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "));
}
#endif

std::uint64_t major_minor(unsigned long number) {
    // Both 1.1.1 (0xMNNFFPPS) and 3.x (0xMNN00PP0) keep major and minor in the
    // top twelve bits.
    return number >> 20;
}

}  // namespace

std::vector<Row> library_info() {
    std::vector<Row> rows;
    rows.push_back(info("headers_version", OPENSSL_VERSION_TEXT,
                        "the OpenSSL whose headers this binary was compiled against"));
    rows.push_back(info("headers_number", fmt::format("{:#010x}", OPENSSL_VERSION_NUMBER),
                        "OPENSSL_VERSION_NUMBER of those headers"));
    rows.push_back(info("library_version", OpenSSL_version(OPENSSL_VERSION),
                        "the OpenSSL library running now"));
    rows.push_back(info("library_number", fmt::format("{:#010x}", OpenSSL_version_num()),
                        "OpenSSL_version_num() of the running library"));
    if (std::string warning = version_mismatch(); !warning.empty()) {
        rows.push_back(info("warning", warning, "headers and running library differ"));
    }
    rows.push_back(info("platform", without_label(OpenSSL_version(OPENSSL_PLATFORM)),
                        "the platform the library was configured for"));
    rows.push_back(info("built_on", without_label(OpenSSL_version(OPENSSL_BUILT_ON)),
                        "when the library was built"));
    rows.push_back(info("build_flags", without_label(OpenSSL_version(OPENSSL_CFLAGS)),
                        "compiler and flags the library was built with"));
    rows.push_back(info("openssldir", without_label(OpenSSL_version(OPENSSL_DIR)),
                        "OPENSSLDIR: configuration file and default trust store"));
    rows.push_back(info("enginesdir", without_label(OpenSSL_version(OPENSSL_ENGINES_DIR)),
                        "where ENGINE modules are looked for"));
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    rows.push_back(info("modulesdir", without_label(OpenSSL_version(OPENSSL_MODULES_DIR)),
                        "where provider modules are looked for"));
    if (const OpensslPtr<char> conf(CONF_get1_default_config_file()); conf) {
        rows.push_back(info("config_file", conf.get(), "the default configuration file"));
    }
#endif
    rows.push_back(info("default_cert_file", X509_get_default_cert_file(),
                        "the default CA bundle (SSL_CERT_FILE overrides it)"));
    rows.push_back(info("default_cert_dir", X509_get_default_cert_dir(),
                        "the default hashed CA directory (SSL_CERT_DIR overrides it)"));
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    rows.push_back(info("providers", provider_list(), "providers loaded, with versions"));
    rows.push_back(info("fips_mode", EVP_default_properties_is_fips_enabled(nullptr) ? "on" : "off",
                        "whether default algorithm fetches require FIPS"));
#endif
    return rows;
}

std::string version_mismatch() {
    std::string_view headers = OPENSSL_VERSION_TEXT;
    std::string_view library = OpenSSL_version(OPENSSL_VERSION);
    if (headers == library) return {};
    if (version_mismatch_is_serious()) {
        return fmt::format("built against {} but running {}: constant values may not match "
                           "the running library; rebuild sslfeatures",
                           headers, library);
    }
    return fmt::format("built against {} but running {} (same release series)", headers,
                       library);
}

bool version_mismatch_is_serious() {
    return major_minor(OPENSSL_VERSION_NUMBER) != major_minor(OpenSSL_version_num());
}

nlohmann::ordered_json document_head(std::string_view schema, int schema_version) {
    nlohmann::ordered_json doc;
    doc["schema"] = schema;
    doc["schema_version"] = schema_version;
    doc["tool"] = {{"name", "sslfeatures"}, {"version", SSLFEATURES_VERSION}};
    doc["openssl"] = {
        {"headers", OPENSSL_VERSION_TEXT},
        {"headers_number", static_cast<std::uint64_t>(OPENSSL_VERSION_NUMBER)},
        {"library", OpenSSL_version(OPENSSL_VERSION)},
        {"library_number", static_cast<std::uint64_t>(OpenSSL_version_num())},
    };
    return doc;
}

}  // namespace sslfeatures::reflect
