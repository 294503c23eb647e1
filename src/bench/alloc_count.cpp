#include "bench/alloc_count.hpp"

#include <atomic>
#include <cstdlib>
#include <cstring>

#include <openssl/crypto.h>

namespace sslfeatures::bench {
namespace {

// Keeps the block's size and the 16-byte alignment malloc gives.
constexpr std::size_t kHeader = 16;

std::atomic<std::int64_t> live_bytes{0};
std::atomic<std::int64_t> live_blocks{0};
std::atomic<std::int64_t> peak_bytes{0};
std::atomic<bool> installed{false};

void add(std::int64_t bytes, std::int64_t blocks) {
    const std::int64_t now = live_bytes.fetch_add(bytes, std::memory_order_relaxed) + bytes;
    live_blocks.fetch_add(blocks, std::memory_order_relaxed);
    std::int64_t peak = peak_bytes.load(std::memory_order_relaxed);
    while (now > peak && !peak_bytes.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
    }
}

unsigned char* base_of(void* p) {
    return static_cast<unsigned char*>(p) - kHeader;
}

std::size_t size_of(void* p) {
    std::size_t size = 0;
    std::memcpy(&size, base_of(p), sizeof size);
    return size;
}

// The same three signatures in OpenSSL 1.1.1 and 3.x: (size, file, line).
void* counted_malloc(std::size_t size, const char*, int) {
    auto* base = static_cast<unsigned char*>(std::malloc(size + kHeader));
    if (!base) return nullptr;
    std::memcpy(base, &size, sizeof size);
    add(static_cast<std::int64_t>(size), 1);
    return base + kHeader;
}

void counted_free(void* p, const char*, int) {
    if (!p) return;
    add(-static_cast<std::int64_t>(size_of(p)), -1);
    std::free(base_of(p));
}

// OpenSSL hands every realloc to the hook, a null pointer and size 0 included.
void* counted_realloc(void* p, std::size_t size, const char* file, int line) {
    if (!p) return counted_malloc(size, file, line);
    if (size == 0) {
        counted_free(p, file, line);
        return nullptr;
    }
    const std::size_t old = size_of(p);
    auto* base = static_cast<unsigned char*>(std::realloc(base_of(p), size + kHeader));
    if (!base) return nullptr;  // the old block stands, still counted
    std::memcpy(base, &size, sizeof size);
    add(static_cast<std::int64_t>(size) - static_cast<std::int64_t>(old), 0);
    return base + kHeader;
}

}  // namespace

bool install_counting_allocator() {
    if (CRYPTO_set_mem_functions(counted_malloc, counted_realloc, counted_free) != 1) return false;
    installed = true;
    return true;
}

bool counting_allocations() {
    return installed;
}

AllocCount allocation_count() {
    return {live_bytes.load(), live_blocks.load(), peak_bytes.load()};
}

}  // namespace sslfeatures::bench
