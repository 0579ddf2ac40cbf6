// A child process for tests that run the real binaries: stdout read line by line through a
// pipe (non-blocking, bounded waits), stderr appended to a file, killed with the test.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace at::testing {

struct Child {
  pid_t pid = -1;
  int out = -1;
  std::string buffer;
  std::vector<std::string> lines;
};

inline Child spawn(const std::vector<std::string>& args, const std::string& err_path) {
  int p[2];
  if (pipe(p) != 0) throw std::runtime_error("pipe");
  Child c;
  c.pid = fork();
  if (c.pid == 0) {
    // Die with the test: an orphaned engine or simulator would trade on, and could meet the
    // next test's simulator on a reused port.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(p[1], STDOUT_FILENO);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(err, STDERR_FILENO);
    close(p[0]);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(p[1]);
  c.out = p[0];
  fcntl(c.out, F_SETFL, O_NONBLOCK);
  return c;
}

// Reads what the child printed, waiting at most `ms`. Returns false at EOF.
inline bool drain(Child& c, int ms) {
  pollfd pfd{c.out, POLLIN, 0};
  if (poll(&pfd, 1, ms) <= 0) return true;
  char buf[65536];
  for (;;) {
    ssize_t n = read(c.out, buf, sizeof buf);
    if (n == 0) return false;
    if (n < 0) return true;
    c.buffer.append(buf, static_cast<std::size_t>(n));
    std::size_t pos;
    while ((pos = c.buffer.find('\n')) != std::string::npos) {
      c.lines.push_back(c.buffer.substr(0, pos));
      c.buffer.erase(0, pos + 1);
    }
  }
}

inline int reap(Child& c) {
  int status = 0;
  waitpid(c.pid, &status, 0);
  close(c.out);
  return status;
}

}  // namespace at::testing
