// One client/server pair moving application data, client to server, over
// the handshake engine's in-memory transport after one checked handshake:
// the timed step (one payload written and read back on the other side), the
// checks (the suite and MAC order as named, the data intact), and what each
// side's CPU spends on its half.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/bulk_matrix.hpp"
#include "bench/pair.hpp"

namespace sslfeatures::bench {

// Each side's CPU time per payload.
struct SideCosts {
    double send_ns = 0;     // the client's SSL_write
    double receive_ns = 0;  // the server's SSL_read
};

class BulkPair {
  public:
    // Throws Error(kFailure) when the contexts cannot be configured.
    explicit BulkPair(const BulkCase& c);
    BulkPair(const BulkPair&) = delete;
    BulkPair& operator=(const BulkPair&) = delete;

    // The checked full handshake, then whether encrypt-then-MAC was agreed
    // as the name says, then a checked exchange: payloads, each stamped with
    // its sequence number, must arrive intact. Returns "" or what went wrong.
    std::string prime();

    // One payload: the client writes it, the server reads all of it. False
    // on failure; error() says why.
    bool transfer();

    // The last payload arrived as it was sent. "" or what differs.
    std::string check_last() const;

    // Each side's CPU time per payload, in bursts of at least 256 KiB (the
    // client writes the burst, then the server reads it), the median of nine.
    SideCosts side_costs();

    // Bytes the client put on the wire per payload byte (headers, MACs,
    // tags, padding, explicit IVs): measured in prime().
    double wire_per_byte() const { return wire_per_byte_; }

    const std::string& error() const { return error_; }
    SSL* client() const { return pair_.client(); }
    SSL* server() const { return pair_.server(); }

  private:
    bool write_one();
    bool read_one();
    std::string etm_mismatch() const;

    BulkCase case_;
    std::size_t burst_;  // payloads per side_costs() burst
    Pair pair_;
    std::vector<unsigned char> sent_;
    std::vector<unsigned char> received_;
    std::uint64_t sequence_ = 0;
    double wire_per_byte_ = 0;
    bool server_agreed_etm_ = false;  // the ServerHello carried encrypt_then_mac
    std::string error_;
};

}  // namespace sslfeatures::bench
