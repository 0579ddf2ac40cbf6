// Codec: the byte grammar of the journal's records and index keys, and the Cap'n Proto
// encoding of an Envelope.
//
// Record grammar (RocksDB column families; "u64be" = 8-byte big-endian unsigned):
//
//   events       key   = u64be(first sequence of the value)  sequences start at 1, no gaps
//                value = batch | capnp-message(Envelope)
//                Schema version 2 writes only batches: each append is cut into batches of at
//                most kMaxBatchEvents consecutive events, all in the append's one WriteBatch.
//                Schema version 1 wrote one capnp-message per event (key = its sequence);
//                readers accept both, also mixed in one journal (a v1 journal appended to by
//                a v2 writer). The next value's key is this key + the number of events here.
//   dlq          key   = u64be(sequence of a DeadLettered)   value = "" (open dead letter)
//   by_order     key   = client_order_id 0x00 u64be(sequence) value = varint*
//                The events an order id is about: `client_order_id`, and `new_client_order_id`
//                of ReplaceRequested, OrderReplaced and ReplaceRejected. Schema 3: one entry
//                per (id, events value) the id occurs in, keyed by its first sequence there;
//                the value lists its further sequences in that events value, each as the
//                varint difference from the one before (empty: the key's sequence only).
//                Schemas 1 and 2 wrote one entry per (id, event), all with empty values;
//                readers take both, also mixed in one journal. Ids never contain 0x00
//                (make_client_order_id and venues use [A-Za-z0-9-_]), so the prefix scan is
//                exact.
//   by_venue_id  key   = venue_order_id                      value = client_order_id
//                From OrderAccepted / OrderFilled (venue_order_id -> client_order_id) and
//                OrderReplaced (new_venue_order_id -> new_client_order_id). Last write wins.
//   by_time      key   = u64be(recorded_ns) u64be(sequence)   value = ""
//                Sparse: an entry at the first event of an append and at every event whose
//                recorded_ns differs from the previous event's in that append (the engine
//                stamps one time per batch, so usually one per append).
//                recorded_ns never decreases along the sequence (the journal clamps it), so
//                the index is ordered the same way as the sequence.
//   snapshots    key   = u64be(sequence)                     value = projections (replay/)
//   meta         "schema_version" -> decimal text ("3"; an older journal keeps its number
//                                   until this writer first appends, in that WriteBatch)
//                "first_sequence" -> decimal text ("1")
//
//   batch         = u32le(kBatchMagic) u32le(n) u32le(end_1) ... u32le(end_n) [u32le(0) to pad
//                   to 8] capnp-message_1 ... capnp-message_n
//                   n >= 1 events of sequences key .. key+n-1; end_i = offset just past message
//                   i, counted from the first message (so messages are 8-byte aligned within
//                   the value: one copy of an unaligned value aligns them all). The magic is
//                   >= 2^31: read as a Cap'n Proto segment table it claims > 2^31 segments, so
//                   a schema-1 reader rejects the value as "Message ends prematurely in segment
//                   table" instead of misreading it; no capnp-message starts with it.
//   capnp-message = the standard Cap'n Proto stream framing (capnp/serialize.h):
//                   u32le(segment count - 1) u32le(segment size in words)... [pad to 8]
//                   segment words. Unpacked: a reader needs no copy when the value is
//                   8-byte aligned, and one memcpy when it is not.
//   Envelope      = { sequence, recordedNs, causation, eventType :UInt16, payload :AnyPointer }
//                   where payload is the journal/events.capnp struct named by eventType
//                   (domain EventType numbers: 0 DecisionReceived ... 32 RecoveryCompleted).
//   Decimal       = { hi :Int64, lo :UInt64, scale :UInt8 }: value = (hi<<64|lo) / 10^scale,
//                   so "0.00001234" and "52000.00" keep their exact text.
//
// Decoding never throws: a damaged record, an out-of-range enum or scale, or an event type this
// build does not know (a newer writer) is kCorruption naming what failed.
//
// Thread-safety: free functions; each thread uses its own scratch buffers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/events.h"
#include "domain/result.h"
#include "domain/varint.h"

namespace at::journal {

// 1: one capnp-message per events value. 2: batch values. 3: one by_order entry per order id
// and events value. Readers of a version read every earlier one.
inline constexpr std::uint32_t kSchemaVersion = 3;
inline constexpr std::uint32_t kBatchMagic = 0xB47C0002;
// The most events the writer puts in one events value (readers accept any count). Bounds the
// bytes a get() reads for one event (a value is ~64 x 250 bytes) while amortizing RocksDB's
// per-record cost (memtable insert, iterator step, key compares) over many events.
inline constexpr std::size_t kMaxBatchEvents = 64;

// The Cap'n Proto encoding of `e`. encode_to replaces `out`'s content (its capacity is reused).
std::string encode(const Envelope& e);
void encode_to(const Envelope& e, std::string& out);
// The same encoding from the envelope's parts (no copy of the event).
void encode_to(std::uint64_t sequence, std::int64_t recorded_ns, std::uint64_t causation,
               const Event& event, std::string& out);

// Decodes one event's record (a schema-1 value, or EventsValue::record of a batch). Errors are
// kCorruption: "undecodable record: <what>" or "unknown event type 57 (written by a newer
// version?)".
Result<Envelope> decode(std::string_view bytes);
// Same, into an existing envelope (reuses its storage where it can). On error `out` is
// unspecified.
Status decode_into(std::string_view bytes, Envelope& out);

// The same encoding appended to `out` (which keeps its content).
void encode_append(std::uint64_t sequence, std::int64_t recorded_ns, std::uint64_t causation,
                   const Event& event, std::string& out);

// Builds one batch value in `out`: start(n, out), then exactly n add()s in sequence order.
// `out` must not be touched in between.
class BatchEncoder {
 public:
  void start(std::size_t count, std::string& out);
  void add(std::uint64_t sequence, std::int64_t recorded_ns, std::uint64_t causation,
           const Event& event);

 private:
  std::string* out_ = nullptr;
  std::size_t count_ = 0;
  std::size_t added_ = 0;
  std::size_t header_ = 0;
};

// True when an events value is a batch (starts with kBatchMagic).
bool is_batch_value(std::string_view value);

// The events one events value holds: one (a schema-1 record) or a batch. A view: `value` must
// outlive it. parse() checks the batch framing only (the messages are checked when decoded):
// kCorruption "undecodable batch record: <what>".
class EventsValue {
 public:
  static Result<EventsValue> parse(std::string_view value);
  std::uint32_t size() const { return count_; }
  bool batch() const { return batch_; }
  // The codec bytes of the i-th event (sequence = key + i), i < size(), for decode().
  std::string_view record(std::uint32_t i) const;

 private:
  std::string_view value_;
  std::size_t header_ = 0;
  std::uint32_t count_ = 0;
  bool batch_ = false;
};

// The envelope's header without decoding the payload (cheap; used by verify and stats).
struct RecordHeader {
  std::uint64_t sequence = 0;
  std::int64_t recorded_ns = 0;
  std::uint64_t causation = 0;
  std::uint16_t event_type = 0;
};
Result<RecordHeader> decode_header(std::string_view bytes);

// --- keys ----------------------------------------------------------------------------------

inline void put_u64be(std::string& out, std::uint64_t v) {
  char b[8];
  for (int i = 7; i >= 0; --i) {
    b[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out.append(b, 8);
}
inline std::uint64_t get_u64be(std::string_view s) {  // s.size() >= 8
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(s[i]);
  return v;
}
// The sequences one by_order entry stands for: the key's, then the value's (schema 3).
// kCorruption "by_order entry for '<id>' at <seq>: malformed value" if it does not decode.
Status by_order_sequences(std::string_view key, std::string_view value,
                          std::vector<std::uint64_t>& out);

inline std::string sequence_key(std::uint64_t seq) {
  std::string k;
  put_u64be(k, seq);
  return k;
}
// by_order_key into `out` (replacing its content, keeping its capacity).
inline void by_order_key_to(std::string& out, std::string_view client_order_id, std::uint64_t seq) {
  out.assign(client_order_id);
  out.push_back('\0');
  put_u64be(out, seq);
}
inline std::string by_order_key(std::string_view client_order_id, std::uint64_t seq) {
  std::string k;
  k.reserve(client_order_id.size() + 9);
  by_order_key_to(k, client_order_id, seq);
  return k;
}
inline std::string by_time_key(std::int64_t recorded_ns, std::uint64_t seq) {
  std::string k;
  put_u64be(k, static_cast<std::uint64_t>(recorded_ns));
  put_u64be(k, seq);
  return k;
}

// The client order ids an event is indexed under in by_order (0, 1 or 2 of them).
struct OrderIds {
  const ClientOrderId* ids[2] = {nullptr, nullptr};
  int count = 0;
};
OrderIds order_ids_of(const Event& e);
// The (venue order id, client order id) pair an event adds to by_venue_id, if any.
struct VenueLink {
  const VenueOrderId* venue_order_id = nullptr;
  const ClientOrderId* client_order_id = nullptr;
};
VenueLink venue_link_of(const Event& e);

}  // namespace at::journal
