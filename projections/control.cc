#include "projections/control.h"

#include "projections/detail/wire.h"

namespace at::projections {

void ControlState::apply(const Envelope& env) {
  const std::uint64_t seq = env.sequence;
  if (auto* b = std::get_if<CircuitBreakerChanged>(&env.event)) {
    BreakerStatus& s = breakers_[b->venue];
    s.state = b->to;
    s.reason = b->reason;
    s.since_seq = seq;
    s.since_ns = b->ts_ns;
    ++s.changes;
  } else if (auto* c = std::get_if<VenueConnectionChanged>(&env.event)) {
    ConnectionStatus& s = connections_[c->venue];
    s.state = c->state;
    s.detail = c->detail;
    s.since_seq = seq;
    s.since_ns = c->ts_ns;
    ++s.changes;
  } else if (auto* t = std::get_if<TradingStateChanged>(&env.event)) {
    trading_.state = t->to;
    trading_.who = t->who;
    trading_.reason = t->reason;
    trading_.since_seq = seq;
    trading_.since_ns = t->ts_ns;
  } else if (auto* k = std::get_if<KillSwitchActivated>(&env.event)) {
    // The kill switch halts trading by itself; the engine may also journal the
    // TradingStateChanged, which then agrees.
    trading_.state = TradingState::kHalted;
    trading_.who = k->who;
    trading_.reason = k->reason;
    trading_.since_seq = seq;
    trading_.since_ns = k->ts_ns;
    trading_.kill_seq = seq;
    trading_.kill_who = k->who;
    trading_.kill_reason = k->reason;
    trading_.kill_flatten = k->flatten;
  } else if (auto* d = std::get_if<InstrumentDefined>(&env.event)) {
    instruments_[std::make_pair(d->venue, d->rules.symbol)] = d->rules;
  } else if (auto* s = std::get_if<EngineStarted>(&env.event)) {
    engine_.started_seq = seq;
    engine_.version = s->version;
    engine_.venue = s->venue;
    engine_.config_digest = s->config_digest;
    ++engine_.starts;
  } else if (auto* x = std::get_if<EngineStopped>(&env.event)) {
    engine_.stopped_seq = seq;
    engine_.stop_reason = x->reason;
  } else if (std::holds_alternative<RecoveryCompleted>(env.event)) {
    engine_.recovered_seq = seq;
  }
}

BreakerState ControlState::breaker(const std::string& venue) const {
  auto it = breakers_.find(venue);
  return it == breakers_.end() ? BreakerState::kClosed : it->second.state;
}

const InstrumentRules* ControlState::instrument(const std::string& venue,
                                                const Symbol& symbol) const {
  auto it = instruments_.find(KeyView(venue, symbol.str()));
  return it == instruments_.end() ? nullptr : &it->second;
}

void ControlState::save(detail::Writer& w) const {
  w.varint(breakers_.size());
  for (const auto& [venue, s] : breakers_) {
    w.str(venue);
    w.u8(static_cast<std::uint8_t>(s.state));
    w.str(s.reason);
    w.varint(s.since_seq);
    w.svarint(s.since_ns);
    w.varint(s.changes);
  }
  w.varint(connections_.size());
  for (const auto& [venue, s] : connections_) {
    w.str(venue);
    w.u8(static_cast<std::uint8_t>(s.state));
    w.str(s.detail);
    w.varint(s.since_seq);
    w.svarint(s.since_ns);
    w.varint(s.changes);
  }
  w.u8(static_cast<std::uint8_t>(trading_.state));
  w.str(trading_.who);
  w.str(trading_.reason);
  w.varint(trading_.since_seq);
  w.svarint(trading_.since_ns);
  w.varint(trading_.kill_seq);
  w.str(trading_.kill_who);
  w.str(trading_.kill_reason);
  w.boolean(trading_.kill_flatten);
  w.varint(engine_.started_seq);
  w.str(engine_.version);
  w.str(engine_.venue);
  w.str(engine_.config_digest);
  w.varint(engine_.stopped_seq);
  w.str(engine_.stop_reason);
  w.varint(engine_.recovered_seq);
  w.varint(engine_.starts);
  w.varint(instruments_.size());
  for (const auto& [key, rules] : instruments_) {
    w.str(key.first);
    w.symbol(rules.symbol);
    w.str(rules.venue_symbol);
    w.dec(rules.tick_size);
    w.dec(rules.lot_size);
    w.dec(rules.min_qty);
    w.dec(rules.max_qty);
    w.dec(rules.min_notional);
  }
}

bool ControlState::load(detail::Reader& r) {
  *this = ControlState();
  auto state_byte = [&](std::uint8_t last) {
    std::uint8_t v = r.u8();
    if (v > last) r.fail("bad control enum");
    return v;
  };
  std::uint64_t n = r.count();
  for (std::uint64_t k = 0; k < n && r.ok(); ++k) {
    std::string venue = r.str();
    BreakerStatus& s = breakers_[venue];
    s.state = static_cast<BreakerState>(state_byte(2));
    s.reason = r.str();
    s.since_seq = r.varint();
    s.since_ns = r.svarint();
    s.changes = r.varint();
  }
  n = r.count();
  for (std::uint64_t k = 0; k < n && r.ok(); ++k) {
    std::string venue = r.str();
    ConnectionStatus& s = connections_[venue];
    s.state = static_cast<ConnectionState>(state_byte(2));
    s.detail = r.str();
    s.since_seq = r.varint();
    s.since_ns = r.svarint();
    s.changes = r.varint();
  }
  trading_.state = static_cast<TradingState>(state_byte(2));
  trading_.who = r.str();
  trading_.reason = r.str();
  trading_.since_seq = r.varint();
  trading_.since_ns = r.svarint();
  trading_.kill_seq = r.varint();
  trading_.kill_who = r.str();
  trading_.kill_reason = r.str();
  trading_.kill_flatten = r.boolean();
  engine_.started_seq = r.varint();
  engine_.version = r.str();
  engine_.venue = r.str();
  engine_.config_digest = r.str();
  engine_.stopped_seq = r.varint();
  engine_.stop_reason = r.str();
  engine_.recovered_seq = r.varint();
  engine_.starts = r.varint();
  n = r.count();
  for (std::uint64_t k = 0; k < n && r.ok(); ++k) {
    std::string venue = r.str();
    InstrumentRules rules;
    rules.symbol = r.symbol();
    rules.venue_symbol = r.str();
    rules.tick_size = r.dec();
    rules.lot_size = r.dec();
    rules.min_qty = r.dec();
    rules.max_qty = r.dec();
    rules.min_notional = r.dec();
    Symbol sym = rules.symbol;
    instruments_.emplace(std::make_pair(std::move(venue), std::move(sym)), std::move(rules));
  }
  return r.ok();
}

}  // namespace at::projections
