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

std::string openssl_error_details() {
    std::string text;
    for (;;) {
        const char* data = nullptr;
        int flags = 0;
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
        const unsigned long e = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags);
#else
        const unsigned long e = ERR_get_error_line_data(nullptr, nullptr, &data, &flags);
#endif
        if (e == 0) break;
        const char* reason = ERR_reason_error_string(e);
        if (!text.empty()) text += "; ";
        text += reason ? std::string(reason) : fmt::format("error {:#x}", e);
        if ((flags & ERR_TXT_STRING) != 0 && data != nullptr && *data != '\0') text += fmt::format(" ({})", data);
    }
    return text.empty() ? "no details" : text;
}

std::string memory_bio_text(BIO* bio) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

}  // namespace sslfeatures
