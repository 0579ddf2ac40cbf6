#include "malloc/huge_pages.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <memory>

namespace at::malloc_hooks {
namespace {

TEST(HugePages, WantedUnlessTheEnvironmentSaysOff) {
  EXPECT_TRUE(huge_pages_wanted(nullptr));
  EXPECT_TRUE(huge_pages_wanted("1"));
  EXPECT_TRUE(huge_pages_wanted("on"));
  for (const char* off : {"0", "off", "false", "no"}) EXPECT_FALSE(huge_pages_wanted(off)) << off;
}

#if AT_TCMALLOC_BUILD
TEST(HugePages, TheHeapGrowsInAlignedHugePageRegions) {
  if (!huge_pages_wanted(std::getenv("AT_HUGE_PAGES"))) GTEST_SKIP() << "AT_HUGE_PAGES is off";
  const HugePageStats before = huge_page_stats();
  ASSERT_TRUE(before.installed);
  // More than tcmalloc can hold in what it has mapped so far: its heap must grow.
  constexpr std::size_t kBlock = std::size_t{48} << 20;
  auto block = std::make_unique<char[]>(kBlock);
  std::memset(block.get(), 1, kBlock);  // touched: the memory is usable
  const HugePageStats after = huge_page_stats();
  EXPECT_GT(after.regions, before.regions);
  EXPECT_GE(after.bytes - before.bytes, kBlock);
  EXPECT_EQ((after.bytes - before.bytes) % (std::size_t{2} << 20), 0u);
  EXPECT_EQ(block[kBlock - 1], 1);
}

TEST(HugePages, FreedMemoryIsKeptUnlessTcmallocIsToldOtherwise) {
  if (!huge_pages_wanted(std::getenv("AT_HUGE_PAGES"))) GTEST_SKIP() << "AT_HUGE_PAGES is off";
  if (std::getenv("TCMALLOC_RELEASE_RATE")) GTEST_SKIP() << "TCMALLOC_RELEASE_RATE is set";
  EXPECT_EQ(huge_page_stats().release_rate, 0.0);
}
#else
TEST(HugePages, NotInstalledWithoutTcmalloc) {
  EXPECT_FALSE(huge_page_stats().installed);
  EXPECT_EQ(huge_page_stats().release_rate, -1.0);
}
#endif

}  // namespace
}  // namespace at::malloc_hooks
