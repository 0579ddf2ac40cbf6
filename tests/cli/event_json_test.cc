// The JSON-lines codec (journal/json): every event type round-trips exactly, and every kind
// of bad line is refused with a message naming the line, the field and what was expected.
#include "journal/json/event_json.h"

#include <gtest/gtest.h>

#include <utility>

#include "journal/json/time_text.h"

namespace at::journal::json {
namespace {

std::string reencode(const std::string& line) {
  auto r = from_json_line(line);
  EXPECT_TRUE(r.ok()) << line << " -> " << (r.ok() ? "" : r.error().message);
  return r.ok() ? to_json_line(r->event) : std::string();
}

TEST(EventJson, EveryEventTypeRoundTripsThroughTheFixtureOrAHandWrittenLine) {
  // Lines covering every event type with realistic, non-default values.
  const char* lines[] = {
      R"({"type":"DecisionReceived","ts":"2026-01-02T14:00:00.000000001Z","decision_id":"d1","source":"demo","symbol":"BTC-USDT","action":"LONG","size":"0.25","order_type":"STOP_LIMIT","limit_price":"42150.00","stop_price":"42100.5","tif":"IOC","metadata":{"z":"1","a":"2"},"account":"main"})",
      R"({"type":"RiskRejected","ts":1,"decision_id":"d1","client_order_id":"at2","symbol":"AAPL","reason":"max_notional","detail":"x > y"})",
      R"({"type":"OrderRequested","ts":2,"client_order_id":"at3","decision_id":"d1","account":"a","venue":"binance","symbol":"ETH-USDT","side":"SELL","order_type":"LIMIT","quantity":"0.00001234","limit_price":"52000.00","tif":"GTC","replaces":"at1"})",
      R"({"type":"OrderSent","ts":3,"client_order_id":"at3","attempt":2})",
      R"({"type":"OrderAccepted","ts":4,"client_order_id":"at3","venue_order_id":"v9"})",
      R"({"type":"OrderRejected","ts":5,"client_order_id":"at3","reason":"no","venue_code":-2010})",
      R"({"type":"OrderFilled","ts":6,"client_order_id":"at3","venue_order_id":"v9","trade_id":"t1","venue":"binance","account":"a","symbol":"ETH-USDT","side":"SELL","quantity":"0.00001234","price":"2210.55000000","commission":"0.0000001","commission_asset":"BNB","liquidity":"MAKER"})",
      R"({"type":"CancelRequested","ts":7,"client_order_id":"at3","reason":"user"})",
      R"({"type":"OrderCancelled","ts":8,"client_order_id":"at3","reason":"user"})",
      R"({"type":"CancelRejected","ts":9,"client_order_id":"at3","reason":"filled","venue_code":-2011})",
      R"({"type":"ReplaceRequested","ts":10,"client_order_id":"at3","new_client_order_id":"at4","new_quantity":"1.5","new_limit_price":"10","native":true})",
      R"({"type":"OrderReplaced","ts":11,"client_order_id":"at3","new_client_order_id":"at4","new_venue_order_id":"v10"})",
      R"({"type":"ReplaceRejected","ts":12,"client_order_id":"at3","new_client_order_id":"at4","reason":"r"})",
      R"({"type":"OrderExpired","ts":13,"client_order_id":"at3","reason":"DAY"})",
      R"({"type":"OrderStatusUnknown","ts":14,"client_order_id":"at3","operation":"submit","detail":"timeout"})",
      R"({"type":"OrderNotFoundAtVenue","ts":15,"client_order_id":"at3"})",
      R"({"type":"VenueConnectionChanged","ts":16,"venue":"okx","state":"RECONNECTING","detail":"d"})",
      R"({"type":"VenueErrorOccurred","ts":17,"venue":"okx","client_order_id":"at3","operation":"submit","kind":"rate_limited","venue_code":429,"message":"slow down","retry_after_ms":1500})",
      R"({"type":"RetryScheduled","ts":18,"client_order_id":"at3","operation":"submit","attempt":3,"delay_ms":400})",
      R"({"type":"CircuitBreakerChanged","ts":19,"venue":"okx","from":"HALF_OPEN","to":"OPEN","reason":"probe failed"})",
      R"({"type":"DeadLettered","ts":20,"client_order_id":"at3","operation":"submit","reason":"exhausted","attempts":5})",
      R"({"type":"DeadLetterRetried","ts":21,"client_order_id":"at3","who":"ops"})",
      R"({"type":"DeadLetterDropped","ts":22,"client_order_id":"at3","who":"ops","reason":"stale"})",
      R"({"type":"AnomalyDetected","ts":23,"kind":"unknown_order","venue":"okx","client_order_id":"zz","detail":"fill for unknown order"})",
      R"({"type":"TradingStateChanged","ts":24,"from":"ACTIVE","to":"HALTED","who":"ops","reason":"kill"})",
      R"({"type":"KillSwitchActivated","ts":25,"who":"ops","reason":"r","flatten":true})",
      R"({"type":"MarkPriceUpdated","ts":26,"symbol":"EUR-USD","price":"1.08765"})",
      R"({"type":"BalanceUpdated","ts":27,"account":"a","asset":"USDT","free":"10.5","locked":"0.00"})",
      R"({"type":"AccountFunded","ts":28,"account":"a","asset":"USDT","amount":"-5.00"})",
      R"({"type":"InstrumentDefined","ts":29,"venue":"binance","rules":{"symbol":"BTC-USDT","venue_symbol":"BTCUSDT","tick_size":"0.01","lot_size":"0.00001","min_qty":"0.00001","max_qty":"9000","min_notional":"5"}})",
      R"({"type":"EngineStarted","ts":30,"version":"0.1.0","venue":"paper","config_digest":"abc"})",
      R"({"type":"EngineStopped","ts":31,"reason":"SIGTERM"})",
      R"({"type":"RecoveryCompleted","ts":32,"replayed_events":18446744073709551615,"in_flight":2,"resolved":1,"restored_resting":1})",
  };
  ASSERT_EQ(std::size(lines), kEventTypeCount);
  for (std::size_t i = 0; i < std::size(lines); ++i) {
    auto r = from_json_line(lines[i]);
    ASSERT_TRUE(r.ok()) << lines[i] << ": " << r.error().message;
    EXPECT_EQ(static_cast<std::size_t>(type_of(r->event)), i) << lines[i];
    const std::string once = to_json_line(r->event);
    EXPECT_EQ(reencode(once), once) << "not a fixed point: " << lines[i];
  }
}

TEST(EventJson, DecimalsKeepTheirExactText) {
  auto r = from_json_line(
      R"({"type":"MarkPriceUpdated","ts":"2026-01-02T14:03:07Z","symbol":"btc/usdt","price":"0.00001234"})");
  ASSERT_TRUE(r.ok());
  const auto& m = std::get<MarkPriceUpdated>(r->event);
  EXPECT_EQ(m.price.to_string(), "0.00001234");
  EXPECT_EQ(m.symbol.str(), "BTC-USDT");
  EXPECT_EQ(
      to_json_line(r->event),
      R"({"type":"MarkPriceUpdated","ts":"2026-01-02T14:03:07.000000000Z","symbol":"BTC-USDT","price":"0.00001234"})");
}

TEST(EventJson, EnvelopeKeysAreWrittenAndReadBack) {
  Envelope env{42, 1'767'362'587'000'000'000, 41,
               OrderSent{ClientOrderId("at7"), 2, 1'767'362'587'000'000'001}};
  const std::string line = to_json_line(env);
  EXPECT_EQ(
      line.rfind(
          R"({"seq":42,"recorded_ts":"2026-01-02T14:03:07.000000000Z","causation":41,"type":"OrderSent")",
          0),
      0u)
      << line;
  auto r = from_json_line(line);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->sequence, 42u);
  EXPECT_EQ(r->causation, 41u);
  EXPECT_EQ(r->recorded_ns, 1'767'362'587'000'000'000);
}

struct BadLine {
  const char* line;
  const char* expected_in_message;
};

class EventJsonRefuses : public ::testing::TestWithParam<BadLine> {};

TEST_P(EventJsonRefuses, NamingWhatIsWrong) {
  auto r = from_json_line(GetParam().line);
  ASSERT_FALSE(r.ok()) << GetParam().line;
  EXPECT_EQ(r.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_NE(r.error().message.find(GetParam().expected_in_message), std::string::npos)
      << r.error().message;
  EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << "one line";
}

INSTANTIATE_TEST_SUITE_P(
    BadLines, EventJsonRefuses,
    ::testing::Values(
        BadLine{R"({"type":"OrderSent","ts":1,"client_order_id":"a","attempt":1)",
                "malformed JSON"},
        BadLine{R"(not json)", "malformed JSON"},
        BadLine{R"({"type":"OrderSent","ts":1,"client_order_id":"a","attempt":1} x)",
                "trailing text"},
        BadLine{R"([1,2])", "expected a JSON object"},
        BadLine{R"({"ts":1})", "field 'type': missing"},
        BadLine{R"({"type":"Bogus","ts":1})", "unknown event type 'Bogus'"},
        BadLine{R"({"type":"OrderSent","ts":1,"client_order_id":"a"})", "field 'attempt': missing"},
        BadLine{R"({"type":"OrderSent","client_order_id":"a","attempt":1})", "field 'ts': missing"},
        BadLine{R"({"type":"OrderSent","ts":1,"client_order_id":"a","attempt":"1"})",
                "field 'attempt': expected a non-negative integer"},
        BadLine{R"({"type":"OrderSent","ts":1,"client_order_id":"a","attempt":-1})",
                "field 'attempt': expected a non-negative integer in range"},
        BadLine{R"({"type":"OrderSent","ts":1,"client_order_id":"a","attempt":1,"extra":2})",
                "unknown field 'extra'"},
        BadLine{R"({"type":"OrderSent","ts":1,"client_order_id":"","attempt":1})",
                "field 'client_order_id': expected a non-empty string"},
        BadLine{R"({"type":"MarkPriceUpdated","ts":1,"symbol":"BTC-USDT","price":42000.5})",
                "field 'price': expected a decimal string"},
        BadLine{R"({"type":"MarkPriceUpdated","ts":1,"symbol":"BTC-USDT","price":"4x"})",
                "field 'price': expected a decimal string"},
        BadLine{R"({"type":"MarkPriceUpdated","ts":"yesterday","symbol":"BTC-USDT","price":"1"})",
                "field 'ts': invalid time 'yesterday'"},
        BadLine{R"({"type":"MarkPriceUpdated","ts":1,"symbol":"BTC--USDT","price":"1"})",
                "field 'symbol'"},
        BadLine{R"({"type":"VenueConnectionChanged","ts":1,"venue":"x","state":"UP"})",
                "field 'state': expected one of CONNECTED, DISCONNECTED, RECONNECTING"},
        BadLine{R"({"type":"KillSwitchActivated","ts":1,"who":"x","flatten":"yes"})",
                "field 'flatten': expected true or false"},
        BadLine{
            R"({"type":"InstrumentDefined","ts":1,"venue":"x","rules":{"symbol":"A","tick":"1"}})",
            "unknown field 'rules.tick'"},
        BadLine{R"({"type":"OrderSent","ts":1,"client_order_id":"a","attempt":1,"seq":"x"})",
                "field 'seq'"}));

TEST(EventJson, ParseJsonLinesNamesTheLineAndSkipsBlankLines) {
  const std::string text =
      "{\"type\":\"EngineStopped\",\"ts\":1}\n"
      "\n"
      "{\"type\":\"EngineStopped\",\"ts\":2,\"bogus\":1}\n";
  auto r = parse_json_lines(text);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.rfind("line 3: EngineStopped: unknown field 'bogus'", 0), 0u)
      << r.error().message;
  auto ok = parse_json_lines("{\"type\":\"EngineStopped\",\"ts\":1}\r\n\n");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->size(), 1u);
}

TEST(TimeText, IsoFormsParseAndFormatExactly) {
  EXPECT_EQ(format_iso_ns(0), "1970-01-01T00:00:00.000000000Z");
  auto t = parse_iso_ns("2026-01-02T14:03:07.123456789Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(format_iso_ns(*t), "2026-01-02T14:03:07.123456789Z");
  EXPECT_EQ(*parse_iso_ns("2026-01-02T14:03:07Z"), *parse_iso_ns("2026-01-02 14:03:07+00:00"));
  EXPECT_EQ(*parse_iso_ns("2026-01-02T14:03Z") + 7'000'000'000,
            *parse_iso_ns("2026-01-02T14:03:07"));
  EXPECT_EQ(*parse_iso_ns("2024-02-29"), *parse_iso_ns("2024-02-29T00:00:00Z"));
  EXPECT_FALSE(parse_iso_ns("2025-02-29").ok());
  EXPECT_FALSE(parse_iso_ns("2026-01-02T24:00Z").ok());
  EXPECT_FALSE(parse_iso_ns("2026-01-02T14:03:07+02:00").ok());
  EXPECT_FALSE(parse_iso_ns("2026-01-02T14:03:07.1234567891Z").ok());
  EXPECT_EQ(*parse_time_of_day_ns("14:03"), (14 * 60 + 3) * 60'000'000'000LL);
  EXPECT_EQ(utc_midnight_ns(*t), *parse_iso_ns("2026-01-02"));
  EXPECT_EQ(format_iso_ns(-1), "1969-12-31T23:59:59.999999999Z");
}

}  // namespace
}  // namespace at::journal::json
