// Shared pieces of the benchmark programs: where journals go, a temp directory that removes
// itself, percentiles, and this machine's fdatasync yardstick (measured in the same process
// as the figures that are compared with it).
#pragma once

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace at::bench {

namespace fs = std::filesystem;
using Clk = std::chrono::steady_clock;

// $AT_BENCH_DIR if set, else the system temp directory: run on the disk you deploy on.
inline fs::path bench_root() {
  const char* d = std::getenv("AT_BENCH_DIR");
  return d ? fs::path(d) : fs::temp_directory_path();
}

// A fresh directory under bench_root(), removed afterwards.
struct BenchDir {
  explicit BenchDir(const std::string& tag = "at-bench") {
    std::random_device rd;
    path = bench_root() / (tag + "-" + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~BenchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  BenchDir(const BenchDir&) = delete;
  BenchDir& operator=(const BenchDir&) = delete;
  fs::path path;
};

// The p-quantile (0..1) of `v` by nth_element (reorders `v`); 0 when empty.
inline double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

inline double micros_since(Clk::time_point t0) {
  return std::chrono::duration<double, std::micro>(Clk::now() - t0).count();
}

// The median and p99 fdatasync latency of the last RawFdatasync run, in µs (latency ratios).
inline std::atomic<double> g_fdatasync_p50_us{0};
inline std::atomic<double> g_fdatasync_p99_us{0};

// write(4 KiB append) + fdatasync on a temp file in the journals' directory: the yardstick.
inline void RawFdatasync(benchmark::State& state) {
  BenchDir dir("at-fdatasync");
  auto file = (dir.path / "fdatasync.tmp").string();
  int fd = ::open(file.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
  if (fd < 0) {
    state.SkipWithError("cannot create the temp file");
    return;
  }
  std::string block(4096, 'x');
  std::vector<double> lat;
  for (auto _ : state) {
    auto t0 = Clk::now();
    if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size()) ||
        ::fdatasync(fd) != 0) {
      state.SkipWithError("write/fdatasync failed");
      break;
    }
    lat.push_back(micros_since(t0));
  }
  ::close(fd);
  state.counters["fdatasync_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  double p50 = percentile(lat, 0.50);
  g_fdatasync_p50_us = p50;
  state.counters["p50_us"] = p50;
  double p99 = percentile(lat, 0.99);
  g_fdatasync_p99_us = p99;
  state.counters["p99_us"] = p99;
}

}  // namespace at::bench
