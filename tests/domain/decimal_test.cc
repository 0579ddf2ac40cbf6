#include "domain/decimal.h"

#include <gtest/gtest.h>

namespace at {
namespace {

TEST(Decimal, TextRoundTripsUnchanged) {
  for (const char* s : {"0.00001234", "52000.00", "-1.5", "0", "123456789012345678.123456789",
                        "0.000000000000000001", "100"}) {
    EXPECT_EQ(Decimal::of(s).to_string(), s) << s;
  }
}

TEST(Decimal, ComparesByValueNotScale) {
  EXPECT_EQ(Decimal::of("1.0"), Decimal::of("1.00"));
  EXPECT_LT(Decimal::of("0.1"), Decimal::of("0.11"));
  EXPECT_FALSE(Decimal::of("1.0").identical(Decimal::of("1.00")));
}

TEST(Decimal, ArithmeticIsExact) {
  EXPECT_EQ((Decimal::of("0.1") + Decimal::of("0.2")).to_string(), "0.3");
  EXPECT_EQ((Decimal::of("0.00002853") * Decimal::of("1000")).to_string(), "0.02853000");
  EXPECT_EQ(Decimal::divide(Decimal::of("1"), Decimal::of("3"), 8).to_string(), "0.33333333");
}

TEST(Decimal, RejectsBadTextWithTheTextNamed) {
  auto r = Decimal::parse("12a");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("12a"), std::string::npos);
  EXPECT_FALSE(Decimal::parse("").ok());
  EXPECT_FALSE(Decimal::parse("1.0000000000000000001").ok());
}

TEST(Decimal, StepRules) {
  EXPECT_TRUE(Decimal::of("0.123").is_multiple_of(Decimal::of("0.001")));
  EXPECT_FALSE(Decimal::of("0.1234").is_multiple_of(Decimal::of("0.001")));
  EXPECT_EQ(Decimal::of("0.1236").round_to_step(Decimal::of("0.001"), Rounding::kDown).to_string(),
            "0.123");
}

}  // namespace
}  // namespace at
