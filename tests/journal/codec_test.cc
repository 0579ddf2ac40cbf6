#include "journal/codec.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <gtest/gtest.h>

#include <cstring>

#include "events.capnp.h"
#include "tests/journal/samples.h"

namespace at::journal {
namespace {

using testing::all_events_full;
using testing::all_events_minimal;
using testing::dump;

Envelope envelope(Event e, std::uint64_t seq = 42) {
  return Envelope{seq, 1'700'000'000'999'000'000, seq - 1, std::move(e)};
}

TEST(Codec, EveryEventTypeRoundTripsWithAllFieldsSet) {
  auto events = all_events_full();
  ASSERT_EQ(events.size(), kEventTypeCount);
  for (std::size_t i = 0; i < events.size(); ++i) {
    SCOPED_TRACE(std::string(to_string(static_cast<EventType>(i))));
    ASSERT_EQ(events[i].index(), i);
    auto bytes = encode(envelope(events[i]));
    auto back = decode(bytes);
    ASSERT_TRUE(back.ok()) << back.error().describe();
    EXPECT_EQ(back->sequence, 42u);
    EXPECT_EQ(back->recorded_ns, 1'700'000'000'999'000'000);
    EXPECT_EQ(back->causation, 41u);
    EXPECT_EQ(dump(back->event), dump(events[i]));
  }
}

TEST(Codec, EveryEventTypeRoundTripsWithOptionalsUnset) {
  for (const auto& e : all_events_minimal()) {
    SCOPED_TRACE(dump(e));
    auto back = decode(encode(envelope(e)));
    ASSERT_TRUE(back.ok()) << back.error().describe();
    EXPECT_EQ(dump(back->event), dump(e));
  }
}

TEST(Codec, DecimalsKeepTheirExactText) {
  for (const char* text : {"0.00001234", "52000.00", "0", "-0.000000000000000001",
                           "99999999999999999999.999999999999999999", "1e-8", "123456789"}) {
    MarkPriceUpdated m{Symbol::of("BTC-USDT"), Decimal::of(text), 1};
    auto back = decode(encode(envelope(m)));
    ASSERT_TRUE(back.ok()) << back.error().describe();
    const auto& p = std::get<MarkPriceUpdated>(back->event).price;
    EXPECT_TRUE(p.identical(Decimal::of(text))) << text << " came back as " << p.to_string();
    EXPECT_EQ(p.to_string(), Decimal::of(text).to_string());
  }
  EXPECT_EQ(
      std::get<MarkPriceUpdated>(
          decode(encode(envelope(MarkPriceUpdated{Symbol::of("X"), Decimal::of("52000.00"), 1})))
              ->event)
          .price.to_string(),
      "52000.00");
}

TEST(Codec, DecodeIntoReusesAnEnvelopeAcrossTypes) {
  Envelope env;
  for (int round = 0; round < 2; ++round)
    for (const auto& e : all_events_full()) {
      auto st = decode_into(encode(envelope(e)), env);
      ASSERT_TRUE(st.ok()) << st.error().describe();
      EXPECT_EQ(dump(env.event), dump(e));
    }
  // Same type twice in a row with different content: nothing of the first survives.
  auto full = all_events_full()[0];
  auto minimal = all_events_minimal()[0];
  ASSERT_TRUE(decode_into(encode(envelope(full)), env).ok());
  ASSERT_TRUE(decode_into(encode(envelope(minimal)), env).ok());
  EXPECT_EQ(dump(env.event), dump(minimal));
}

TEST(Codec, UnalignedInputDecodes) {
  auto bytes = encode(envelope(testing::sample_fill(7)));
  std::string shifted = "x" + bytes;
  auto back = decode(std::string_view(shifted).substr(1));
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(dump(back->event), dump(testing::sample_fill(7)));
}

TEST(Codec, ABatchValueHoldsItsEventsInOrderAndEachDecodes) {
  std::string value;
  BatchEncoder enc;
  enc.start(3, value);
  for (std::uint64_t s = 10; s < 13; ++s) enc.add(s, 77, s - 1, testing::sample_fill(s));
  EXPECT_TRUE(is_batch_value(value));
  EXPECT_EQ(value.size() % 8, 0u);
  auto v = EventsValue::parse(value);
  ASSERT_TRUE(v.ok()) << v.error().describe();
  ASSERT_TRUE(v->batch());
  ASSERT_EQ(v->size(), 3u);
  for (std::uint32_t i = 0; i < 3; ++i) {
    auto rec = v->record(i);
    EXPECT_EQ((rec.data() - value.data()) % 8, 0) << "messages stay 8-byte aligned";
    auto e = decode(rec);
    ASSERT_TRUE(e.ok()) << e.error().describe();
    EXPECT_EQ(e->sequence, 10 + i);
    EXPECT_EQ(e->causation, 9 + i);
    EXPECT_EQ(dump(e->event), dump(testing::sample_fill(10 + i)));
  }
  // decode() of the whole value is an error, not a misread.
  auto whole = decode(value);
  ASSERT_FALSE(whole.ok());
  EXPECT_NE(whole.error().message.find("batch"), std::string::npos);
  // A schema-1 record is a value of one event.
  auto one = encode(envelope(testing::sample_fill(1), 4));
  auto v1 = EventsValue::parse(one);
  ASSERT_TRUE(v1.ok());
  EXPECT_FALSE(v1->batch());
  EXPECT_EQ(v1->size(), 1u);
  EXPECT_EQ(v1->record(0), one);
}

// A schema-1 build decodes a value with Cap'n Proto's stream framing: a batch must fail there
// (it may not be misread as an envelope).
TEST(Codec, ASchemaOneReaderRejectsABatchValue) {
  std::string value;
  BatchEncoder enc;
  enc.start(1, value);
  enc.add(1, 1, 0, testing::sample_fill(1));
  std::vector<capnp::word> words(value.size() / 8);
  std::memcpy(words.data(), value.data(), value.size());
  EXPECT_THROW(
      {
        capnp::FlatArrayMessageReader reader(kj::arrayPtr(words.data(), words.size()));
        reader.getRoot<capnp::AnyPointer>().getAs<capnp::AnyStruct>();
      },
      kj::Exception);
}

TEST(Codec, ADamagedBatchFrameIsCorruption) {
  std::string value;
  BatchEncoder enc;
  enc.start(2, value);
  enc.add(1, 1, 0, testing::sample_fill(1));
  enc.add(2, 1, 0, testing::sample_fill(2));
  auto cut = value.substr(0, value.size() - 8);
  auto extra = value + std::string(8, '\0');
  std::string zero = value.substr(0, 4) + std::string(4, '\0');
  std::string huge = value;
  huge[7] = '\x7f';  // count 2^30+2
  for (const auto& bad : {cut, extra, zero, huge, value.substr(0, 6)}) {
    auto v = EventsValue::parse(bad);
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.error().kind, ErrorKind::kCorruption);
    EXPECT_NE(v.error().message.find("undecodable batch record"), std::string::npos)
        << v.error().message;
  }
}

TEST(Codec, HeaderDecodesWithoutThePayload) {
  auto h = decode_header(encode(envelope(testing::sample_fill(1), 9)));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->sequence, 9u);
  EXPECT_EQ(h->causation, 8u);
  EXPECT_EQ(h->event_type, static_cast<std::uint16_t>(EventType::kOrderFilled));
}

TEST(Codec, GarbageIsCorruptionNotACrash) {
  for (std::string bad : {std::string(), std::string("abc"), std::string(16, '\xff'),
                          std::string(64, '\x7f'), std::string(24, '\0')}) {
    auto r = decode(bad);
    if (bad == std::string(24, '\0')) continue;  // an all-zero message is an empty envelope
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, ErrorKind::kCorruption);
    EXPECT_NE(r.error().message.find("undecodable record"), std::string::npos) << r.error().message;
  }
  // Truncating a real record anywhere never crashes.
  auto bytes = encode(envelope(all_events_full()[0]));
  for (std::size_t n = 0; n < bytes.size(); n += 8) {
    auto r = decode(std::string_view(bytes).substr(0, n));
    EXPECT_FALSE(r.ok()) << "prefix of " << n << " bytes decoded";
  }
}

TEST(Codec, UnknownEventTypeIsAnErrorNamingTheNumber) {
  capnp::MallocMessageBuilder m;
  auto env = m.initRoot<schema::Envelope>();
  env.setSequence(5);
  env.setEventType(57);
  auto flat = capnp::messageToFlatArray(m);
  auto bytes = flat.asChars();
  auto r = decode(std::string_view(bytes.begin(), bytes.size()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kCorruption);
  EXPECT_NE(r.error().message.find("unknown event type 57"), std::string::npos)
      << r.error().message;
}

TEST(Codec, OutOfRangeEnumAndScaleAreCorruption) {
  {
    capnp::MallocMessageBuilder m;
    auto env = m.initRoot<schema::Envelope>();
    env.setEventType(static_cast<std::uint16_t>(EventType::kOrderSent) + 0);
    auto p = env.getPayload().initAs<schema::MarkPriceUpdated>();  // wrong struct is tolerated
    (void)p;
    env.setEventType(static_cast<std::uint16_t>(EventType::kMarkPriceUpdated));
    auto price = env.getPayload().getAs<schema::MarkPriceUpdated>().initPrice();
    price.setScale(40);
    auto flat = capnp::messageToFlatArray(m);
    auto r = decode(std::string_view(flat.asChars().begin(), flat.asChars().size()));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("price: decimal scale 40"), std::string::npos)
        << r.error().message;
  }
  {
    capnp::MallocMessageBuilder m;
    auto env = m.initRoot<schema::Envelope>();
    env.setEventType(static_cast<std::uint16_t>(EventType::kOrderFilled));
    env.getPayload().initAs<schema::OrderFilled>().setSide(static_cast<schema::Side>(9));
    auto flat = capnp::messageToFlatArray(m);
    auto r = decode(std::string_view(flat.asChars().begin(), flat.asChars().size()));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("side: enum value 9"), std::string::npos) << r.error().message;
  }
}

TEST(Codec, ManyMetadataEntriesSpillIntoMoreSegmentsAndStillRoundTrip) {
  DecisionReceived d = std::get<DecisionReceived>(all_events_full()[0]);
  for (int i = 0; i < 2000; ++i) d.metadata.emplace_back("key" + std::to_string(i), "value");
  auto back = decode(encode(envelope(d)));
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(dump(back->event), dump(d));
}

TEST(Codec, IndexIdsCoverReplacements) {
  auto events = all_events_full();
  auto ids = order_ids_of(events[static_cast<int>(EventType::kOrderReplaced)]);
  ASSERT_EQ(ids.count, 2);
  EXPECT_EQ(ids.ids[0]->str(), "at3");
  EXPECT_EQ(ids.ids[1]->str(), "at11");
  auto link = venue_link_of(events[static_cast<int>(EventType::kOrderReplaced)]);
  ASSERT_NE(link.venue_order_id, nullptr);
  EXPECT_EQ(link.venue_order_id->str(), "V-2");
  EXPECT_EQ(link.client_order_id->str(), "at11");
  EXPECT_EQ(order_ids_of(events[static_cast<int>(EventType::kEngineStarted)]).count, 0);
}

TEST(Codec, KeysSortLikeTheirNumbers) {
  EXPECT_LT(sequence_key(255), sequence_key(256));
  EXPECT_LT(sequence_key(1), sequence_key(1ull << 40));
  EXPECT_EQ(get_u64be(sequence_key(0x0102030405060708ull)), 0x0102030405060708ull);
  EXPECT_LT(by_order_key("at1", 99), by_order_key("at1", 100));
  EXPECT_LT(by_order_key("at1", UINT64_MAX), by_order_key("at10", 0));
  EXPECT_LT(by_time_key(5, 9), by_time_key(6, 1));
}

}  // namespace
}  // namespace at::journal
