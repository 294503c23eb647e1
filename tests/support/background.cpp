#include "support/background.hpp"

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace sslfeatures::testing {
namespace {

void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

}  // namespace

Background::Background(const std::vector<std::string>& argv) {
    int in[2], out[2];
    if (::pipe(in) != 0) throw std::runtime_error("pipe failed");
    if (::pipe(out) != 0) {
        ::close(in[0]);
        ::close(in[1]);
        throw std::runtime_error("pipe failed");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, out[1], 2);
    for (int fd : {in[0], in[1], out[0], out[1]}) posix_spawn_file_actions_addclose(&actions, fd);
    // Its own process group: one kill reaches any helper it starts.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);

    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const int rc = ::posix_spawnp(&pid_, args[0], &actions, &attr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(in[0]);
    ::close(out[1]);
    in_fd_ = in[1];
    out_fd_ = out[0];
    if (rc != 0) {
        close_fd(in_fd_);
        close_fd(out_fd_);
        throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
    }
}

Background::~Background() {
    if (!reaped_) kill_and_reap();
    close_fd(in_fd_);
    close_fd(out_fd_);
}

bool Background::read_more(std::chrono::steady_clock::time_point deadline) {
    while (out_fd_ >= 0) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd pfd{out_fd_, POLLIN, 0};
        const int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) return false;
        char buf[65536];
        const ssize_t n = ::read(out_fd_, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            close_fd(out_fd_);
            return false;
        }
        output_.append(buf, static_cast<std::size_t>(n));
        return true;
    }
    return false;
}

std::string Background::wait_for_line(std::string_view prefix,
                                      std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        std::size_t end;
        while ((end = output_.find('\n', scanned_)) != std::string::npos) {
            std::string line = output_.substr(scanned_, end - scanned_);
            scanned_ = end + 1;
            if (line.rfind(prefix, 0) == 0) return line;
        }
        if (!read_more(deadline)) return {};
    }
}

// SIGKILL, which nothing can ignore, so the wait below cannot hang. The group
// id is still ours: its leader is not reaped yet.
void Background::kill_and_reap() {
    if (pid_ <= 0) return;
    ::kill(-pid_, SIGKILL);
    while (::waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
}

Result Background::finish(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (read_more(deadline)) {
    }
    // End of file means it closed its output, which it does by exiting; a
    // short wait tells whether it really did before it is killed.
    bool exited = false;
    while (!exited && std::chrono::steady_clock::now() < deadline) {
        const pid_t done = ::waitpid(pid_, &status_, WNOHANG);
        exited = done == pid_;
        if (!exited) ::usleep(10'000);
    }
    if (exited) {
        reaped_ = true;
    } else {
        kill_and_reap();
    }
    close_fd(in_fd_);
    Result result;
    result.exit_code = WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
    result.out = output_;
    return result;
}

}  // namespace sslfeatures::testing
