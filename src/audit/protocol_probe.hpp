// Which protocol versions still complete a handshake with the library's
// defaults: the question an upgrade from 1.1.1 to 3.x answers differently.
#pragma once

#include <vector>

#include "audit/snapshot.hpp"

namespace sslfeatures::audit {

// For each stream protocol version the headers define, a client and a server
// context made with TLS_method()'s defaults (security level, cipher lists and
// configuration file as installed), both pinned to that version, shake hands
// in memory: once with an RSA-2048 and once with an ECDSA P-256 certificate
// from a throwaway CA. The client verifies the chain and the host name as
// usual; nothing is relaxed except the version bounds.
std::vector<ProtocolResult> probe_protocols();

}  // namespace sslfeatures::audit
