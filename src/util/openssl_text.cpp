#include "util/openssl_text.hpp"

#include <fmt/format.h>

#include <openssl/err.h>

namespace sslfeatures {

std::string openssl_error_text() {
    std::string text;
    unsigned long e = 0;
    while ((e = ERR_get_error()) != 0) {
        const char* reason = ERR_reason_error_string(e);
        const char* lib = ERR_lib_error_string(e);
        text = fmt::format("{}{}", reason ? reason : fmt::format("error {:#x}", e),
                           lib ? fmt::format(" ({})", lib) : "");
    }
    return text.empty() ? "no details" : text;
}

std::string memory_bio_text(BIO* bio) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

}  // namespace sslfeatures
