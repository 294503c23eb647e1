// The bulk-data cases `sslfeatures bench --measure bulk` can run: every suite
// the library enables, CBC suites with and without encrypt-then-MAC, at each
// payload size, named like handshake cases with the mode field saying what
// moves: "tls1.2/ECDHE-RSA-AES128-SHA/rsa-2048/x25519/bulk-etm-16k".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "bench/matrix.hpp"

namespace sslfeatures::bench {

// The payload sizes measured when none are asked for: 1 KiB and 16 KiB.
inline constexpr std::size_t kDefaultPayloads[] = {1024, 16384};
// The largest payload one write may carry.
inline constexpr std::size_t kMaxPayload = std::size_t{16} << 20;

struct BulkCase {
    Case handshake;             // the full handshake that sets the connection up
    std::size_t payload = 0;    // bytes per SSL_write
    bool cbc = false;           // CBC with an HMAC: encrypt-then-MAC applies

    // "bulk-16k", "bulk-etm-1k", "bulk-mte-1500" in the mode field.
    std::string name() const;
};

// "16k" for whole KiB, "1m" for whole MiB, else the byte count.
std::string payload_label(std::size_t bytes);

// Reads "1500", "1k", "16K", "1m" (KiB and MiB); 0 when the text is not such
// a size or lies outside 1 byte to kMaxPayload.
std::size_t parse_payload(std::string_view text);

struct BulkMatrix {
    std::vector<BulkCase> cases;
    std::vector<Skipped> skipped;  // protocols this library was built without
};

// Every case the selection picks, each suite at each size in turn; with
// `quick`, only the quick set's suites (matrix.hpp).
BulkMatrix build_bulk_matrix(const Selection& selection, const std::vector<std::size_t>& payloads);

}  // namespace sslfeatures::bench
