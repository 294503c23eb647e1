// Counting every byte OpenSSL allocates: malloc, realloc and free hooks
// (CRYPTO_set_mem_functions) that keep each block's size in a 16-byte header
// and add it to atomic totals. OpenSSL takes hooks only before its first
// allocation, so main() installs them as its first action, and only when
// kCountingEnv is set: `bench --measure memory` runs itself again that way.
#pragma once

#include <cstdint>

namespace sslfeatures::bench {

// The environment variable that asks main() to install the hooks.
inline constexpr const char* kCountingEnv = "SSLFEATURES_COUNT_ALLOCATIONS";

// Installs the hooks; false when OpenSSL refuses (it has allocated already).
bool install_counting_allocator();

// Whether the hooks are in place in this process.
bool counting_allocations();

struct AllocCount {
    std::int64_t live_bytes = 0;  // bytes OpenSSL holds now (headers not included)
    std::int64_t live_blocks = 0; // blocks it holds now
    std::int64_t peak_bytes = 0;  // the most it has held at once
};

// The totals now (all zero without the hooks).
AllocCount allocation_count();

}  // namespace sslfeatures::bench
