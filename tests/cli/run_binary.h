// Running the real `autotrader` binary from tests: a temp dir that cleans itself up, run()
// with stdout and stderr captured separately, and small text helpers.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace at::cli::testing {

namespace fs = std::filesystem;

struct Outcome {
  int code = -1;
  std::string out;
  std::string err;
};

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

class TempDir {
 public:
  TempDir() {
    std::string t = (fs::temp_directory_path() / "at-cli-test-XXXXXX").string();
    std::vector<char> b(t.begin(), t.end());
    b.push_back('\0');
    path_ = ::mkdtemp(b.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  fs::path operator/(const std::string& s) const { return path_ / s; }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Runs AT_BINARY with `args`, AUTOTRADER_JOURNAL unset, stdin from /dev/null. The child is
// bounded by `timeout_s` (coreutils timeout): a hung run fails the test instead of hanging it.
// `env`: extra NAME=value assignments for the child (shell-quoted by the caller).
inline Outcome run_binary(const std::vector<std::string>& args, int timeout_s = 60,
                          const std::string& env = "") {
  static TempDir io;
  static int n = 0;
  const fs::path out = io / ("out" + std::to_string(n));
  const fs::path err = io / ("err" + std::to_string(n++));
  std::string cmd = "env -u AUTOTRADER_JOURNAL " + env + " timeout -s KILL " +
                    std::to_string(timeout_s) + " " + shell_quote(AT_BINARY);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  cmd += " >" + shell_quote(out.string()) + " 2>" + shell_quote(err.string()) + " </dev/null";
  int st = std::system(cmd.c_str());
  Outcome r;
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

inline std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> v;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

inline bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

// The cells (split on runs of spaces) of the first line that has a cell equal to `key`.
inline std::vector<std::string> row_of(const std::string& table, const std::string& key) {
  for (const auto& l : split_lines(table)) {
    std::istringstream in(l);
    std::vector<std::string> cells;
    for (std::string c; in >> c;) cells.push_back(c);
    for (const auto& c : cells)
      if (c == key) return cells;
  }
  return {};
}

inline void write_file(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

inline std::string fixture_path() {
  return std::string(AT_SOURCE_DIR) + "/examples/fixture-events.jsonl";
}

}  // namespace at::cli::testing
