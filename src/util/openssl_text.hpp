// OpenSSL's words, as strings: its error queue, and what a memory BIO holds.
#pragma once

#include <string>

#include <openssl/bio.h>

namespace sslfeatures {

// OpenSSL's error queue, drained, as "reason (library)" of its newest entry
// (the one that names the failure; older ones are its causes); "no details"
// when the queue is empty.
std::string openssl_error_text();

// Everything written to a memory BIO so far.
std::string memory_bio_text(BIO* bio);

}  // namespace sslfeatures
