// Codec: the byte grammar of the journal's records and index keys, and the Cap'n Proto
// encoding of an Envelope.
//
// Record grammar (RocksDB column families; "u64be" = 8-byte big-endian unsigned):
//
//   events       key   = u64be(sequence)                    sequences start at 1, no gaps
//                value = capnp-message(Envelope)             see below
//   dlq          key   = u64be(sequence of a DeadLettered)   value = "" (open dead letter)
//   by_order     key   = client_order_id 0x00 u64be(sequence) value = ""
//                One entry per (id, event) for every client order id the event is about:
//                `client_order_id`, and `new_client_order_id` of ReplaceRequested,
//                OrderReplaced and ReplaceRejected. Ids never contain 0x00 (make_client_order_id
//                and venues use [A-Za-z0-9-_]), so the prefix scan is exact.
//   by_venue_id  key   = venue_order_id                      value = client_order_id
//                From OrderAccepted / OrderFilled (venue_order_id -> client_order_id) and
//                OrderReplaced (new_venue_order_id -> new_client_order_id). Last write wins.
//   by_time      key   = u64be(recorded_ns) u64be(first sequence of an append)   value = ""
//                Sparse: one entry per append (every event of one append shares recorded_ns).
//                recorded_ns never decreases along the sequence (the journal clamps it), so
//                the index is ordered the same way as the sequence.
//   snapshots    key   = u64be(sequence)                     value = projections (replay/)
//   meta         "schema_version" -> decimal text ("1")
//                "first_sequence" -> decimal text ("1")
//
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

#include <cstdint>
#include <string>
#include <string_view>

#include "domain/events.h"
#include "domain/result.h"

namespace at::journal {

inline constexpr std::uint32_t kSchemaVersion = 1;

// The Cap'n Proto encoding of `e`. encode_to replaces `out`'s content (its capacity is reused).
std::string encode(const Envelope& e);
void encode_to(const Envelope& e, std::string& out);
// The same encoding from the envelope's parts (no copy of the event).
void encode_to(std::uint64_t sequence, std::int64_t recorded_ns, std::uint64_t causation,
               const Event& event, std::string& out);

// Decodes one record. Errors are kCorruption: "undecodable record: <what>" or
// "unknown event type 57 (written by a newer version?)".
Result<Envelope> decode(std::string_view bytes);
// Same, into an existing envelope (reuses its storage where it can). On error `out` is
// unspecified.
Status decode_into(std::string_view bytes, Envelope& out);

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
inline std::string sequence_key(std::uint64_t seq) {
  std::string k;
  put_u64be(k, seq);
  return k;
}
inline std::string by_order_key(std::string_view client_order_id, std::uint64_t seq) {
  std::string k;
  k.reserve(client_order_id.size() + 9);
  k.append(client_order_id);
  k.push_back('\0');
  put_u64be(k, seq);
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
