#include "bench/latency.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace sslfeatures::bench {
namespace {

constexpr std::uint64_t kSub = std::uint64_t{1} << LatencyHistogram::kSubBits;

}  // namespace

LatencyHistogram::LatencyHistogram() : counts_((kMaxBits - kSubBits + 1) * kSub) {}

// Below 2^kSubBits every value has its own bucket. Above, a value whose
// highest bit is bit k lands in row k - kSubBits + 1, column its next
// kSubBits bits: buckets 2^(k - kSubBits) wide, at least 2^kSubBits from 0.
std::size_t LatencyHistogram::index_of(std::uint64_t ns) {
    ns = std::min(ns, (std::uint64_t{1} << kMaxBits) - 1);
    const int top = std::bit_width(ns) - 1;
    if (top < kSubBits) return static_cast<std::size_t>(ns);
    const int shift = top - kSubBits;
    return static_cast<std::size_t>(shift + 1) * kSub + ((ns >> shift) & (kSub - 1));
}

double LatencyHistogram::middle_of(std::size_t index) {
    if (index < kSub) return static_cast<double>(index);
    const int shift = static_cast<int>(index / kSub) - 1;
    const double low = std::ldexp(static_cast<double>(kSub + index % kSub), shift);
    return low + std::ldexp(1.0, shift) / 2;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    max_ = std::max(max_, other.max_);
}

void LatencyHistogram::clear() {
    std::fill(counts_.begin(), counts_.end(), 0);
    count_ = 0;
    max_ = 0;
}

double LatencyHistogram::percentile(double q) const {
    if (count_ == 0) return 0;
    const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
        seen += counts_[i];
        if (seen >= rank) return std::min(middle_of(i), static_cast<double>(max_));
    }
    return static_cast<double>(max_);
}

}  // namespace sslfeatures::bench
