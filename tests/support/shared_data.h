// The recorded market data of ../shared/data (AT_SHARED_DATA), read in place, never copied into
// the project. A checkout without it (a clone on its own) skips the tests that need it, and
// says so, instead of failing them.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>

namespace at::testing {

inline bool shared_data_present() { return std::filesystem::is_directory(AT_SHARED_DATA); }

}  // namespace at::testing

#define AT_SKIP_WITHOUT_SHARED_DATA()                                    \
  if (!::at::testing::shared_data_present())                             \
  GTEST_SKIP() << "recorded market data not found at " << AT_SHARED_DATA \
               << " (../shared/data next to the checkout): skipped"
