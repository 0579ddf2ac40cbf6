#include "projections/dead_letters.h"

#include "projections/detail/wire.h"

namespace at::projections {

std::string_view to_string(DeadLetterState s) {
  switch (s) {
    case DeadLetterState::kOpen:
      return "OPEN";
    case DeadLetterState::kRetried:
      return "RETRIED";
    case DeadLetterState::kDropped:
      return "DROPPED";
  }
  return "?";
}

void DeadLetters::apply(const Envelope& env) {
  if (auto* d = std::get_if<DeadLettered>(&env.event)) {
    DeadLetter& e = entries_[d->client_order_id];
    if (e.history.empty() || e.state != DeadLetterState::kOpen) ++open_count_;
    e.client_order_id = d->client_order_id;
    e.state = DeadLetterState::kOpen;
    e.sequence = env.sequence;
    e.operation = d->operation;
    e.reason = d->reason;
    e.attempts = d->attempts;
    e.ts_ns = d->ts_ns;
    ++e.times_dead_lettered;
    e.closed_by.clear();
    e.drop_reason.clear();
    e.history.push_back(env.sequence);
    return;
  }
  const ClientOrderId* id = nullptr;
  DeadLetterState to = DeadLetterState::kOpen;
  const std::string* who = nullptr;
  const std::string* why = nullptr;
  if (auto* r = std::get_if<DeadLetterRetried>(&env.event)) {
    id = &r->client_order_id;
    to = DeadLetterState::kRetried;
    who = &r->who;
  } else if (auto* x = std::get_if<DeadLetterDropped>(&env.event)) {
    id = &x->client_order_id;
    to = DeadLetterState::kDropped;
    who = &x->who;
    why = &x->reason;
  } else {
    return;
  }
  auto it = entries_.find(*id);
  if (it == entries_.end() || it->second.state != DeadLetterState::kOpen) {
    ++unmatched_;
    return;
  }
  DeadLetter& e = it->second;
  e.state = to;
  e.closed_by = *who;
  if (why) e.drop_reason = *why;
  e.history.push_back(env.sequence);
  --open_count_;
}

std::vector<const DeadLetter*> DeadLetters::open() const {
  std::vector<const DeadLetter*> out;
  for (const auto& [id, e] : entries_)
    if (e.state == DeadLetterState::kOpen) out.push_back(&e);
  return out;
}

const DeadLetter* DeadLetters::find(const ClientOrderId& id) const {
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : &it->second;
}

void DeadLetters::save(detail::Writer& w) const {
  w.varint(entries_.size());
  for (const auto& [id, e] : entries_) {
    w.id(e.client_order_id);
    w.u8(static_cast<std::uint8_t>(e.state));
    w.varint(e.sequence);
    w.str(e.operation);
    w.str(e.reason);
    w.varint(e.attempts);
    w.svarint(e.ts_ns);
    w.varint(e.times_dead_lettered);
    w.str(e.closed_by);
    w.str(e.drop_reason);
    w.varint(e.history.size());
    for (std::uint64_t s : e.history) w.varint(s);
  }
  w.varint(unmatched_);
}

bool DeadLetters::load(detail::Reader& r) {
  *this = DeadLetters();
  std::uint64_t n = r.count();
  for (std::uint64_t k = 0; k < n && r.ok(); ++k) {
    DeadLetter e;
    e.client_order_id = r.id<ClientOrderId>();
    std::uint8_t st = r.u8();
    if (st > static_cast<std::uint8_t>(DeadLetterState::kDropped)) r.fail("bad dead letter state");
    e.state = static_cast<DeadLetterState>(st);
    e.sequence = r.varint();
    e.operation = r.str();
    e.reason = r.str();
    e.attempts = static_cast<std::uint32_t>(r.varint());
    e.ts_ns = r.svarint();
    e.times_dead_lettered = static_cast<std::uint32_t>(r.varint());
    e.closed_by = r.str();
    e.drop_reason = r.str();
    std::uint64_t h = r.count();
    for (std::uint64_t j = 0; j < h && r.ok(); ++j) e.history.push_back(r.varint());
    if (e.state == DeadLetterState::kOpen) ++open_count_;
    ClientOrderId key = e.client_order_id;
    entries_.emplace(std::move(key), std::move(e));
  }
  unmatched_ = r.varint();
  return r.ok();
}

}  // namespace at::projections
