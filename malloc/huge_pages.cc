#include "malloc/huge_pages.h"

#include <sys/mman.h>

#include <atomic>
#include <cstdlib>
#include <cstring>

#if AT_TCMALLOC
#include <gperftools/malloc_extension.h>
#endif

namespace at::malloc_hooks {
namespace {

std::atomic<bool> g_installed{false};
std::atomic<std::uint64_t> g_regions{0};
std::atomic<std::uint64_t> g_bytes{0};
std::atomic<std::uint64_t> g_advice_failed{0};

#if AT_TCMALLOC
constexpr std::size_t kHugePage = std::size_t{2} << 20;
// tcmalloc asks for at least 1 MiB when its page heap grows (and for its metadata in larger
// chunks); smaller requests are rare and go to its own allocator.
constexpr std::size_t kMinHugeRequest = std::size_t{1} << 20;

std::uintptr_t round_up(std::uintptr_t v, std::size_t to) { return (v + to - 1) & ~(to - 1); }

// Called by tcmalloc with its page-heap lock held: it must not allocate, only map.
class HugePageSysAllocator final : public SysAllocator {
 public:
  explicit HugePageSysAllocator(SysAllocator* fallback) : fallback_(fallback) {}

  void* Alloc(std::size_t size, std::size_t* actual_size, std::size_t alignment) override {
    if (size < kMinHugeRequest || alignment > kHugePage)
      return fallback_->Alloc(size, actual_size, alignment);
    const std::size_t len = round_up(size, kHugePage);
    // Over-map by one huge page, then trim both ends to a 2 MiB-aligned region: the kernel
    // backs only aligned 2 MiB ranges with huge pages.
    void* raw = ::mmap(nullptr, len + kHugePage, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (raw == MAP_FAILED) return fallback_->Alloc(size, actual_size, alignment);
    const auto begin = reinterpret_cast<std::uintptr_t>(raw);
    const std::uintptr_t aligned = round_up(begin, kHugePage);
    const std::uintptr_t end = begin + len + kHugePage;
    if (aligned > begin) ::munmap(raw, aligned - begin);
    if (end > aligned + len) ::munmap(reinterpret_cast<void*>(aligned + len), end - aligned - len);
    if (::madvise(reinterpret_cast<void*>(aligned), len, MADV_HUGEPAGE) != 0)
      g_advice_failed.fetch_add(1, std::memory_order_relaxed);
    g_regions.fetch_add(1, std::memory_order_relaxed);
    g_bytes.fetch_add(len, std::memory_order_relaxed);
    // tcmalloc takes the whole region (its page heap grows by actual_size).
    if (actual_size) *actual_size = len;
    return reinterpret_cast<void*>(aligned);
  }

 private:
  SysAllocator* fallback_;
};

// Installed before main(): the heap grows mostly after start-up, and whatever tcmalloc mapped
// before this ran stays as it is.
[[maybe_unused]] const bool g_install = [] {
  if (!huge_pages_wanted(std::getenv("AT_HUGE_PAGES"))) return false;
  MallocExtension* ext = MallocExtension::instance();
  SysAllocator* current = ext->GetSystemAllocator();
  if (current == nullptr) return false;  // not tcmalloc: nothing to hook
  static HugePageSysAllocator allocator(current);
  ext->SetSystemAllocator(&allocator);
  g_installed.store(ext->GetSystemAllocator() == &allocator, std::memory_order_relaxed);
  // Freed memory stays with tcmalloc for reuse instead of going back to the kernel a little at
  // a time: handing 8 KiB pieces back would split the huge pages, and every piece taken back
  // later is zeroed by the kernel again (snapshot buffers, memtables after a flush). The heap
  // then stays at its peak, which oms.archive_after_seconds bounds. TCMALLOC_RELEASE_RATE in
  // the environment (tcmalloc's own setting) wins.
  if (std::getenv("TCMALLOC_RELEASE_RATE") == nullptr) ext->SetMemoryReleaseRate(0);
  return true;
}();
#endif  // AT_TCMALLOC: without it there is nothing to hook

}  // namespace

HugePageStats huge_page_stats() {
  HugePageStats st;
  st.installed = g_installed.load(std::memory_order_relaxed);
  st.regions = g_regions.load(std::memory_order_relaxed);
  st.bytes = g_bytes.load(std::memory_order_relaxed);
  st.advice_failed = g_advice_failed.load(std::memory_order_relaxed);
#if AT_TCMALLOC
  st.release_rate = MallocExtension::instance()->GetMemoryReleaseRate();
#endif
  return st;
}

bool huge_pages_wanted(const char* env_value) {
  if (env_value == nullptr) return true;
  for (const char* off : {"0", "off", "false", "no"})
    if (std::strcmp(env_value, off) == 0) return false;
  return true;
}

}  // namespace at::malloc_hooks
