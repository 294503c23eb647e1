// OpenSSL's words, as strings: its error queue, and what a memory BIO holds.
#pragma once

#include <string>

#include <openssl/bio.h>

namespace sslfeatures {

// OpenSSL's error queue, drained, as "reason (library)" of its newest entry
// (the one that names the failure; older ones are its causes); "no details"
// when the queue is empty.
std::string openssl_error_text();

// The whole queue, drained, oldest first: each reason with the detail OpenSSL
// attached ("missing equal sign (HERE-->x line 3)"), joined by "; ". For
// failures whose detail sits below the newest entry, as a configuration's.
std::string openssl_error_details();

// Everything written to a memory BIO so far.
std::string memory_bio_text(BIO* bio);

}  // namespace sslfeatures
