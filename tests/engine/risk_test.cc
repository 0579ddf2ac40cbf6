#include "engine/risk.h"

#include <gtest/gtest.h>

namespace at::engine {
namespace {

struct Fixture {
  RiskLimits limits;
  RiskInput in;
  InstrumentRules rules;
  OrderRequested order;
  Fixture() {
    rules.symbol = Symbol::of("BTC-USDT");
    rules.tick_size = Decimal::of("0.01");
    rules.lot_size = Decimal::of("0.001");
    rules.min_qty = Decimal::of("0.001");
    rules.min_notional = Decimal::of("10");
    in.rules = &rules;
    in.mark = Decimal::of("50000");
    in.available_quote = Decimal::of("100000");
    order.symbol = rules.symbol;
    order.side = Side::kBuy;
    order.type = OrderType::kLimit;
    order.quantity = Decimal::of("0.1");
    order.limit_price = Decimal::of("50000.00");
  }
  std::string reason() {
    auto r = check_risk(limits, in, order);
    return r ? r->reason : "pass";
  }
};

TEST(Risk, AGoodOrderPasses) { EXPECT_EQ(Fixture().reason(), "pass"); }

TEST(Risk, EveryRejectionHasItsReason) {
  using namespace risk_reasons;
  {
    Fixture f;
    f.in.trading_state = TradingState::kHalted;
    EXPECT_EQ(f.reason(), kTradingHalted);
  }
  {
    Fixture f;
    f.in.trading_state = TradingState::kReducing;
    EXPECT_EQ(f.reason(), kReduceOnly);
  }
  {
    Fixture f;
    f.in.rules = nullptr;
    EXPECT_EQ(f.reason(), kUnknownSymbol);
  }
  {
    Fixture f;
    f.in.duplicate_open = true;
    EXPECT_EQ(f.reason(), kDuplicate);
  }
  {
    Fixture f;
    f.order.limit_price = Decimal::of("50000.005");
    EXPECT_EQ(f.reason(), kTickSize);
  }
  {
    Fixture f;
    f.order.quantity = Decimal::of("0.0015");
    EXPECT_EQ(f.reason(), kLotSize);
  }
  {
    Fixture f;
    f.order.quantity = Decimal::of("0.001");
    f.order.limit_price = Decimal::of("100.00");
    f.limits.price_collar_bps.reset();
    EXPECT_EQ(f.reason(), kMinNotional);
  }
  {
    Fixture f;
    f.limits.defaults.max_order_quantity = Decimal::of("0.05");
    EXPECT_EQ(f.reason(), kMaxOrderQuantity);
  }
  {
    Fixture f;
    f.limits.defaults.max_notional = Decimal::of("1000");
    EXPECT_EQ(f.reason(), kMaxNotional);
  }
  {
    Fixture f;
    f.limits.price_collar_bps = 100;
    f.order.limit_price = Decimal::of("51000.00");
    EXPECT_EQ(f.reason(), kPriceCollar);
  }
  {
    Fixture f;
    f.limits.defaults.position_limit = Decimal::of("0.5");
    f.in.position = Decimal::of("0.45");
    EXPECT_EQ(f.reason(), kPositionLimit);
  }
  {
    Fixture f;
    f.limits.max_open_orders = 3;
    f.in.open_orders = 3;
    EXPECT_EQ(f.reason(), kMaxOpenOrders);
  }
  {
    Fixture f;
    f.limits.max_orders_per_second = 5;
    f.in.orders_in_last_second = 5;
    EXPECT_EQ(f.reason(), kOrderRate);
  }
  {
    Fixture f;
    f.in.available_quote = Decimal::of("1000");
    EXPECT_EQ(f.reason(), kInsufficientBalance);
  }
  {
    Fixture f;
    f.order.type = OrderType::kMarket;
    f.order.limit_price.reset();
    f.in.mark.reset();
    EXPECT_EQ(f.reason(), kNoMarkPrice);
  }
  {
    Fixture f;
    f.order.quantity = Decimal::of("0");
    EXPECT_EQ(f.reason(), kInvalidOrder);
  }
}

TEST(Risk, ReducingLetsOnlyExposureReducingOrdersThrough) {
  Fixture f;
  f.in.trading_state = TradingState::kReducing;
  f.in.position = Decimal::of("0.3");
  f.order.side = Side::kSell;
  f.order.quantity = Decimal::of("0.2");
  EXPECT_EQ(f.reason(), "pass");
  f.order.quantity = Decimal::of("0.4");  // would flip short
  EXPECT_EQ(f.reason(), risk_reasons::kReduceOnly);
}

TEST(Risk, CommissionIsReservedForBuys) {
  Fixture f;
  f.limits.commission_bps = 10;
  f.in.available_quote = Decimal::of("5000");  // exactly the notional, no room for commission
  EXPECT_EQ(f.reason(), risk_reasons::kInsufficientBalance);
}

}  // namespace
}  // namespace at::engine
