#include "projections/projections.h"

#include <array>

#include "projections/detail/wire.h"

namespace at::projections {

namespace {

constexpr std::string_view kMagic = "ATPJ";

enum Tag : std::uint8_t {
  kOms = 1,
  kPositions = 2,
  kBalances = 3,
  kDeadLetters = 4,
  kControl = 5,
  kMetrics = 6,
};

std::string_view tag_name(std::uint8_t t) {
  switch (t) {
    case kOms:
      return "oms";
    case kPositions:
      return "positions";
    case kBalances:
      return "balances";
    case kDeadLetters:
      return "dead_letters";
    case kControl:
      return "control";
    case kMetrics:
      return "metrics";
  }
  return "unknown";
}

}  // namespace

void Projections::apply(const Envelope& env) {
  if (applied_ > 0 && env.sequence <= last_sequence_) {
    ++stale_;
    return;
  }
  const OmsEffect fx = oms_.apply(env);
  switch (type_of(env.event)) {
    case EventType::kOrderFilled:
      if (fx.fill == FillOutcome::kApplied) {
        const auto& f = *std::get_if<OrderFilled>(&env.event);
        positions_.apply_fill(f, env.sequence);
        balances_.apply_fill(f, env.sequence);
      }
      break;
    case EventType::kMarkPriceUpdated:
      positions_.apply(env);
      break;
    case EventType::kBalanceUpdated:
    case EventType::kAccountFunded:
      balances_.apply(env);
      break;
    case EventType::kDeadLettered:
    case EventType::kDeadLetterRetried:
    case EventType::kDeadLetterDropped:
      dead_letters_.apply(env);
      break;
    case EventType::kCircuitBreakerChanged:
    case EventType::kVenueConnectionChanged:
    case EventType::kTradingStateChanged:
    case EventType::kKillSwitchActivated:
    case EventType::kInstrumentDefined:
    case EventType::kEngineStarted:
    case EventType::kEngineStopped:
    case EventType::kRecoveryCompleted:
      control_.apply(env);
      break;
    default:
      break;
  }
  metrics_.apply(env, fx);
  last_sequence_ = env.sequence;
  last_recorded_ns_ = env.recorded_ns;
  ++applied_;
}

std::string Projections::serialize() const {
  std::string out;
  serialize_to(out);
  return out;
}

void Projections::serialize_to(std::string& out) const {
  detail::Writer w(out);
  out.append(kMagic);
  w.u8(kFormatVersion);
  w.varint(last_sequence_);
  w.svarint(last_recorded_ns_);
  w.varint(applied_);
  w.varint(stale_);
  w.svarint(options_.archive_after_ns);
  std::size_t at = w.begin_section(kOms);
  oms_.save(w);
  w.end_section(at);
  at = w.begin_section(kPositions);
  positions_.save(w);
  w.end_section(at);
  at = w.begin_section(kBalances);
  balances_.save(w);
  w.end_section(at);
  at = w.begin_section(kDeadLetters);
  dead_letters_.save(w);
  w.end_section(at);
  at = w.begin_section(kControl);
  control_.save(w);
  w.end_section(at);
  at = w.begin_section(kMetrics);
  metrics_.save(w);
  w.end_section(at);
}

std::optional<std::uint8_t> Projections::format_version(std::string_view bytes) {
  if (bytes.size() <= kMagic.size() || bytes.substr(0, kMagic.size()) != kMagic)
    return std::nullopt;
  return static_cast<std::uint8_t>(bytes[kMagic.size()]);
}

namespace {

// The header fields after the magic and the version (see the grammar in projections.h).
struct Header {
  std::uint64_t last_sequence = 0;
  std::int64_t last_recorded_ns = 0;
  std::uint64_t applied = 0;
  std::uint64_t stale = 0;
  ProjectionOptions options;
};

Header read_header(detail::Reader& r) {
  Header h;
  h.last_sequence = r.varint();
  h.last_recorded_ns = r.svarint();
  h.applied = r.varint();
  h.stale = r.varint();
  h.options.archive_after_ns = r.svarint();
  if (r.ok() && h.options.archive_after_ns < Oms::kNeverArchive) r.fail("bad archive age");
  return h;
}

}  // namespace

Result<Projections> Projections::parse(std::string_view bytes) {
  auto corrupt = [](std::string what) {
    return make_error(ErrorKind::kCorruption, "projections snapshot: " + what);
  };
  if (bytes.substr(0, kMagic.size()) != kMagic) return corrupt("bad magic");
  detail::Reader r(bytes.substr(kMagic.size()));
  std::uint8_t version = r.u8();
  if (r.ok() && version != kFormatVersion)
    return corrupt("unsupported format version " + std::to_string(version));
  const Header h = read_header(r);
  if (!r.ok()) return corrupt("header: " + r.error());
  Projections p(h.options);
  p.last_sequence_ = h.last_sequence;
  p.last_recorded_ns_ = h.last_recorded_ns;
  p.applied_ = h.applied;
  p.stale_ = h.stale;
  std::array<bool, 7> seen{};
  while (!r.at_end()) {
    std::uint8_t tag = 0;
    detail::Reader body("");
    if (!r.section(tag, body)) return corrupt("section header: " + r.error());
    bool ok = true;
    switch (tag) {
      case kOms:
        ok = p.oms_.load(body);
        break;
      case kPositions:
        ok = p.positions_.load(body);
        break;
      case kBalances:
        ok = p.balances_.load(body);
        break;
      case kDeadLetters:
        ok = p.dead_letters_.load(body);
        break;
      case kControl:
        ok = p.control_.load(body);
        break;
      case kMetrics:
        ok = p.metrics_.load(body);
        break;
      default:
        continue;  // a later version's section
    }
    if (!ok || !body.ok())
      return corrupt("section " + std::string(tag_name(tag)) + ": " + body.error());
    if (!body.at_end())
      return corrupt("section " + std::string(tag_name(tag)) + ": trailing bytes");
    seen[tag] = true;
  }
  for (std::uint8_t t = kOms; t <= kMetrics; ++t)
    if (!seen[t]) return corrupt("section " + std::string(tag_name(t)) + " missing");
  return p;
}

std::optional<ProjectionOptions> Projections::options_of(std::string_view bytes) {
  if (format_version(bytes) != kFormatVersion) return std::nullopt;
  detail::Reader r(bytes.substr(kMagic.size() + 1));
  const Header h = read_header(r);
  if (!r.ok()) return std::nullopt;
  return h.options;
}

std::string Projections::first_difference(std::string_view a, std::string_view b) {
  if (a == b) return "";
  auto split = [](std::string_view s, std::string_view& header,
                  std::array<std::string_view, 256>& sections) {
    if (s.substr(0, kMagic.size()) != kMagic) return false;
    detail::Reader r(s.substr(kMagic.size()));
    r.u8();
    read_header(r);
    if (!r.ok()) return false;
    header = s.substr(0, kMagic.size() + r.position());
    std::size_t base = kMagic.size() + r.position();
    detail::Reader rest(s.substr(base));
    while (!rest.at_end()) {
      std::size_t start = rest.position();
      std::uint8_t tag = 0;
      detail::Reader body("");
      if (!rest.section(tag, body)) return false;
      sections[tag] = s.substr(base + start + 5, rest.position() - start - 5);
    }
    return true;
  };
  std::string_view ha, hb;
  std::array<std::string_view, 256> sa{}, sb{};
  if (!split(a, ha, sa) || !split(b, hb, sb)) return "unparseable";
  if (ha != hb) return "header";
  for (int t = 0; t < 256; ++t) {
    if (sa[t] == sb[t]) continue;
    std::size_t i = 0;
    while (i < sa[t].size() && i < sb[t].size() && sa[t][i] == sb[t][i]) ++i;
    return "section " + std::string(tag_name(static_cast<std::uint8_t>(t))) + ", byte " +
           std::to_string(i);
  }
  return "section order";
}

}  // namespace at::projections
