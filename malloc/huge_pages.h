// tcmalloc's heap in transparent huge pages (ADR 0005).
//
// gperftools' tcmalloc grows its heap from the kernel in chunks of 1 MiB or more. Linked into an
// executable (through the CMake target at_malloc), this part replaces tcmalloc's system
// allocator with one that maps those chunks 2 MiB-aligned and advises the kernel to back them
// with transparent huge pages (madvise(MADV_HUGEPAGE); the machine's THP mode "madvise" or
// "always" honours it, "never" ignores it). Smaller requests go to tcmalloc's own allocator.
//
// Why: on the VMs this service runs on, a first touch of a 4 KiB page costs microseconds, and a
// growing heap (the OMS, the memtables, the snapshot buffers) touches new pages all the time.
// One fault per 2 MiB instead of per 4 KiB: an engine benchmark run's ~94,000 faults became
// ~3,000.
//
// It also keeps freed memory in tcmalloc (release rate 0) unless TCMALLOC_RELEASE_RATE is set:
// returning it in pieces would split the huge pages, and taking it back costs the zeroing again.
//
// AT_HUGE_PAGES=0 in the environment leaves tcmalloc's allocator and release rate alone.
#pragma once

#include <cstddef>
#include <cstdint>

namespace at::malloc_hooks {

struct HugePageStats {
  bool installed = false;           // the allocator is tcmalloc's system allocator
  std::uint64_t regions = 0;        // regions mapped with MADV_HUGEPAGE so far
  std::uint64_t bytes = 0;          // their total size
  std::uint64_t advice_failed = 0;  // regions the kernel refused the advice for (still used)
  // tcmalloc's rate of returning freed memory to the kernel: 0 (never) once installed, unless
  // TCMALLOC_RELEASE_RATE says otherwise; -1 without tcmalloc.
  double release_rate = -1;
};

// What the allocator has done so far in this process.
HugePageStats huge_page_stats();

// Whether AT_HUGE_PAGES, with this value (nullptr: unset), asks for huge pages: anything but
// "0", "off", "false" and "no" does.
bool huge_pages_wanted(const char* env_value);

}  // namespace at::malloc_hooks
