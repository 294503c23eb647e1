#include "cli/output.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <mutex>

#include <fmt/format.h>

#include "util/atomic_file.hpp"

namespace sslfeatures::cli {
namespace {

std::mutex stdout_mutex;

// The reader left: end as any filter does, by SIGPIPE, which main() ignores
// only so that a vanished TLS peer is reported.
void die_if_reader_left(int err) {
    if (err != EPIPE) return;
    std::signal(SIGPIPE, SIG_DFL);
    std::raise(SIGPIPE);
}

// Passes what is written to std::cout on to stdout, keeping the errno of the
// first failure, which the stream itself forgets (it keeps only badbit).
class CheckedBuffer : public std::streambuf {
  public:
    int first_error = 0;

    void record(int err) {
        die_if_reader_left(err);
        if (first_error == 0) first_error = err != 0 ? err : EIO;
    }

  protected:
    std::streamsize xsputn(const char* text, std::streamsize n) override {
        const auto size = static_cast<std::size_t>(n);
        if (std::fwrite(text, 1, size, stdout) == size) return n;
        record(errno);
        return 0;
    }
    int_type overflow(int_type c) override {
        if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
        const char ch = traits_type::to_char_type(c);
        return xsputn(&ch, 1) == 1 ? c : traits_type::eof();
    }
    int sync() override {
        if (std::fflush(stdout) == 0) return 0;
        record(errno);
        return -1;
    }
};

// Never destroyed: std::cout is flushed at exit, after static objects go.
CheckedBuffer& cout_buffer() {
    static auto* buffer = new CheckedBuffer;
    return *buffer;
}

}  // namespace

StdoutError::StdoutError(int err)
    : Error(kFailure, fmt::format("cannot write to standard output: {}", std::strerror(err))) {}

void print_out(std::string_view text) {
    std::lock_guard lock(stdout_mutex);
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
        const int err = errno;
        die_if_reader_left(err);
        throw StdoutError(err);
    }
}

void check_cout() {
    std::cout.rdbuf(&cout_buffer());
}

void finish_out() {
    std::lock_guard lock(stdout_mutex);
    std::cout.flush();
    CheckedBuffer& buffer = cout_buffer();
    if (std::fflush(stdout) != 0) buffer.record(errno);
    if (buffer.first_error != 0) throw StdoutError(buffer.first_error);
}

void emit(const std::string& text, const std::string& path) {
    if (path.empty()) print_out(text);
    else util::write_file_atomically(path, text);
}

}  // namespace sslfeatures::cli
