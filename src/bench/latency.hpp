// Every handshake's wall time, kept without sampling in a log-bucketed
// histogram of bounded relative error (HdrHistogram's layout): each power of
// two is cut into 2^kSubBits buckets, so a percentile read back lies within
// 1 / 2^(kSubBits + 1) of the sample it stands for (0.2%), in fixed memory.
#pragma once

#include <cstdint>
#include <vector>

namespace sslfeatures::bench {

class LatencyHistogram {
  public:
    static constexpr int kSubBits = 8;
    // The bound on |reported - true| / true for any percentile.
    static constexpr double kRelativeError = 1.0 / (1 << (kSubBits + 1));

    LatencyHistogram();

    // One sample, in nanoseconds. Values from 2^40 ns (18 minutes) up share
    // the last bucket.
    void record(std::uint64_t ns) {
        ++counts_[index_of(ns)];
        ++count_;
        if (ns > max_) max_ = ns;
    }
    void merge(const LatencyHistogram& other);
    void clear();

    std::uint64_t count() const { return count_; }
    std::uint64_t max() const { return max_; }
    // The nearest-rank percentile (q from 0 to 1, e.g. 0.999), in
    // nanoseconds: the middle of its bucket; 0 when empty.
    double percentile(double q) const;

  private:
    static constexpr int kMaxBits = 40;
    static std::size_t index_of(std::uint64_t ns);
    static double middle_of(std::size_t index);

    std::vector<std::uint64_t> counts_;
    std::uint64_t count_ = 0;
    std::uint64_t max_ = 0;
};

}  // namespace sslfeatures::bench
