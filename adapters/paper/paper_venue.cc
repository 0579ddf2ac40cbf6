#include "adapters/paper/paper_venue.h"

#include <charconv>
#include <utility>

namespace at::paper {
namespace {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

OrderStatus map_status(OrdStatus s) {
  switch (s) {
    case OrdStatus::kNew:
      return OrderStatus::kSubmitted;
    case OrdStatus::kPartiallyFilled:
      return OrderStatus::kPartialFill;
    case OrdStatus::kFilled:
      return OrderStatus::kFilled;
    case OrdStatus::kCanceled:
      return OrderStatus::kCancelled;
    case OrdStatus::kRejected:
      return OrderStatus::kRejected;
    case OrdStatus::kExpired:
      return OrderStatus::kExpired;
  }
  return OrderStatus::kUnknown;
}

std::optional<OrderId> parse_id(const std::string& s) {
  OrderId v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v == 0) return std::nullopt;
  return v;
}

Error permanent(Reject r) {
  Error e = make_error(ErrorKind::kPermanent, std::string(message(r)));
  e.venue_code = binance_code(r);
  return e;
}

}  // namespace

// Turns engine reports into domain events, queued until the current action ends.
class PaperVenue::Listener final : public EngineListener {
 public:
  explicit Listener(PaperVenue& v) : v_(v) {}

  void on_execution(const ExecutionReport& r) override {
    const OrderState& o = r.order;
    ClientOrderId coid(o.client_order_id);
    switch (r.exec_type) {
      case ExecType::kNew:
        v_.emit(OrderAccepted{coid, VenueOrderId(std::to_string(o.order_id)), r.ts_ns});
        break;
      case ExecType::kTrade: {
        const Fill& f = *r.fill;
        OrderFilled e;
        e.client_order_id = coid;
        e.venue_order_id = VenueOrderId(std::to_string(o.order_id));
        e.trade_id = TradeId(f.symbol.str() + ":" + std::to_string(f.trade_id));
        e.venue = v_.cfg_.name;
        e.account = f.account == v_.cfg_.account ? std::string() : f.account;
        e.symbol = f.symbol;
        e.side = f.side;
        e.quantity = f.quantity;
        e.price = f.price;
        e.commission = f.commission;
        e.commission_asset = f.commission_asset;
        e.liquidity = f.maker ? Liquidity::kMaker : Liquidity::kTaker;
        e.ts_ns = r.ts_ns;
        v_.emit(std::move(e));
        break;
      }
      case ExecType::kCanceled:
        v_.emit(OrderCancelled{coid, r.reason, r.ts_ns});
        break;
      case ExecType::kExpired:
        v_.emit(OrderExpired{coid, r.reason, r.ts_ns});
        break;
      case ExecType::kReplaced:
        v_.emit(OrderReplaced{coid, ClientOrderId(r.new_client_order_id),
                              VenueOrderId(std::to_string(r.new_order_id)), r.ts_ns});
        break;
      case ExecType::kRejected:
        v_.emit(
            OrderRejected{coid, std::string(message(r.reject)), binance_code(r.reject), r.ts_ns});
        break;
    }
  }

  void on_account_update(const AccountUpdate& u) override {
    std::string account = u.account == v_.cfg_.account ? std::string() : u.account;
    for (const auto& [asset, b] : u.balances)
      v_.emit(BalanceUpdated{account, asset, b.free, b.locked, u.ts_ns});
  }

 private:
  PaperVenue& v_;
};

PaperVenue::PaperVenue(PaperConfig config, const Clock& clock, Scheduler& scheduler)
    : cfg_(std::move(config)),
      clock_(clock),
      scheduler_(scheduler),
      rng_(cfg_.seed),
      alive_(std::make_shared<int>(0)) {
  std::uint64_t base =
      cfg_.id_base ? cfg_.id_base : static_cast<std::uint64_t>(clock_.now_ns() / 1000);
  EngineConfig ec;
  ec.slippage_bps = cfg_.slippage_bps;
  ec.commission_bps = cfg_.commission_bps;
  ec.enforce_balances = cfg_.enforce_balances;
  ec.allow_short = cfg_.allow_short;
  ec.first_order_id = base ? base : 1;
  ec.first_trade_id = base ? base : 1;
  ec.seed = cfg_.seed;
  engine_ = std::make_unique<MatchingEngine>(ec);
  listener_ = std::make_unique<Listener>(*this);
  engine_->set_listener(listener_.get());
  for (const auto& r : cfg_.instruments) engine_->add_instrument(r);
  for (const auto& [asset, amount] : cfg_.initial_balances)
    engine_->deposit(cfg_.account, asset, amount, clock_.now_ns());
  pending_.clear();  // nobody listens before start()
}

PaperVenue::~PaperVenue() {
  std::lock_guard lock(mu_);
  alive_.reset();
  sink_ = nullptr;
}

std::string_view PaperVenue::name() const { return cfg_.name; }

std::int64_t PaperVenue::draw_latency_ns() {
  std::int64_t lo = cfg_.latency_min_ms, hi = std::max(cfg_.latency_max_ms, lo);
  std::uint64_t span = static_cast<std::uint64_t>(hi - lo) * 1'000'000 + 1;
  return lo * 1'000'000 + static_cast<std::int64_t>(splitmix64(rng_) % span);
}

void PaperVenue::later(std::function<void()> fn) {
  std::int64_t at;
  {
    std::lock_guard lock(mu_);
    at = clock_.monotonic_ns() + draw_latency_ns();
  }
  std::weak_ptr<int> alive = alive_;
  scheduler_.at(at, [this, alive, fn = std::move(fn)] {
    if (alive.expired()) return;
    std::lock_guard lock(mu_);
    if (alive.expired()) return;
    fn();
  });
}

void PaperVenue::emit(Event e) {
  if (suppress_ || !connected_ || !started_) return;
  pending_.push_back(std::move(e));
}

void PaperVenue::deliver() {
  // Swapped out first: a sink may call back into the venue, which queues into pending_ again.
  std::vector<Event> out;
  out.swap(pending_);
  if (sink_ && started_)
    for (auto& e : out) sink_->on_venue_event(std::move(e));
  // The emptied vector keeps its capacity for the next action, unless a re-entrant action has
  // queued into a new one meanwhile: the profile showed the regrowth (and its page faults) for
  // every order.
  out.clear();
  if (pending_.empty()) pending_.swap(out);
}

std::string PaperVenue::engine_account(const std::string& account) const {
  return account.empty() ? cfg_.account : account;
}

std::optional<PaperVenue::Fault> PaperVenue::take_fault(Op op) {
  auto it = faults_.find(op);
  if (it == faults_.end() || it->second.empty()) return std::nullopt;
  Fault& f = it->second.front();
  Fault copy = f;
  if (--f.remaining <= 0) it->second.erase(it->second.begin());
  return copy;
}

std::optional<NewOrder> PaperVenue::to_new_order(const OrderRequested& o) const {
  NewOrder n;
  n.account = engine_account(o.account);
  n.symbol = o.symbol;
  n.side = o.side;
  n.quantity = o.quantity;
  n.client_order_id = o.client_order_id.str();
  n.price = o.limit_price;
  n.stop_price = o.stop_price;
  n.tif = o.tif == TimeInForce::kIoc   ? Tif::kIoc
          : o.tif == TimeInForce::kFok ? Tif::kFok
                                       : Tif::kGtc;
  switch (o.type) {
    case OrderType::kMarket:
      n.type = OrdType::kMarket;
      n.price.reset();
      break;
    case OrderType::kLimit:
      n.type = OrdType::kLimit;
      break;
    case OrderType::kIoc:
      n.type = o.limit_price ? OrdType::kLimit : OrdType::kMarket;
      n.tif = Tif::kIoc;
      break;
    case OrderType::kFok:
      n.type = o.limit_price ? OrdType::kLimit : OrdType::kMarket;
      n.tif = Tif::kFok;
      break;
    case OrderType::kStop:
      n.type = OrdType::kStopLoss;
      n.price.reset();
      break;
    case OrderType::kStopLimit:
      n.type = OrdType::kStopLossLimit;
      break;
  }
  return n;
}

void PaperVenue::start(adapters::VenueSink& sink, adapters::Done done) {
  {
    std::lock_guard lock(mu_);
    sink_ = &sink;
  }
  later([this, done = std::move(done)] {
    started_ = true;
    emit(VenueConnectionChanged{cfg_.name, ConnectionState::kConnected, "paper venue started",
                                clock_.now_ns()});
    std::string account;
    for (const auto& [asset, b] : engine_->balances(cfg_.account))
      emit(BalanceUpdated{account, asset, b.free, b.locked, clock_.now_ns()});
    deliver();
    done(Status{});
  });
}

void PaperVenue::stop(adapters::Done done) {
  std::lock_guard lock(mu_);
  emit(VenueConnectionChanged{cfg_.name, ConnectionState::kDisconnected, "paper venue stopped",
                              clock_.now_ns()});
  deliver();
  started_ = false;
  sink_ = nullptr;
  done(Status{});
}

std::vector<InstrumentRules> PaperVenue::instruments() const {
  std::lock_guard lock(mu_);
  auto rules = engine_->instruments();
  for (auto& r : rules)
    if (r.venue_symbol.empty()) r.venue_symbol = r.symbol.str();
  return rules;
}

void PaperVenue::submit(const OrderRequested& order, std::uint32_t attempt, adapters::Done done) {
  later([this, order, done = std::move(done)] {
    if (!started_ || !connected_)
      return done(make_error(ErrorKind::kDisconnected, "paper venue not connected"));
    auto fault = take_fault(Op::kSubmit);
    if (fault && fault->kind == Fault::Kind::kFail) return done(fault->error);
    if (fault && fault->kind == Fault::Kind::kReject) {
      emit(OrderRejected{order.client_order_id, fault->error.message, fault->error.venue_code,
                         clock_.now_ns()});
      deliver();
      return done(fault->error);
    }
    const bool drop = fault && fault->kind == Fault::Kind::kDrop;
    auto n = to_new_order(order);
    ++executed_[Op::kSubmit];
    suppress_ = drop;
    PlaceResult r = engine_->place(*n, clock_.now_ns());
    suppress_ = false;
    if (drop) {
      pending_.clear();
      return done(make_error(ErrorKind::kUnknownOutcome, "paper: submit answer dropped"));
    }
    deliver();
    done(r.ok() ? Status{} : Status(permanent(r.reject)));
  });
}

void PaperVenue::cancel(const Order& order, adapters::Done done) {
  later([this, order, done = std::move(done)] {
    if (!started_ || !connected_)
      return done(make_error(ErrorKind::kDisconnected, "paper venue not connected"));
    auto fault = take_fault(Op::kCancel);
    if (fault && fault->kind == Fault::Kind::kFail) return done(fault->error);
    const bool drop = fault && fault->kind == Fault::Kind::kDrop;
    OrderRef ref;
    if (auto id = parse_id(order.venue_order_id.str())) ref.order_id = *id;
    ref.client_order_id = order.client_order_id.str();
    ++executed_[Op::kCancel];
    suppress_ = drop;
    CancelResult r =
        engine_->cancel(engine_account(order.account), order.symbol, ref, clock_.now_ns());
    if (!r.ok())
      emit(CancelRejected{order.client_order_id, std::string(message(r.reject)),
                          binance_code(r.reject), clock_.now_ns()});
    suppress_ = false;
    if (drop) {
      pending_.clear();
      return done(make_error(ErrorKind::kUnknownOutcome, "paper: cancel answer dropped"));
    }
    deliver();
    done(r.ok() ? Status{} : Status(permanent(r.reject)));
  });
}

void PaperVenue::replace(const Order& order, const OrderRequested& replacement,
                         adapters::Done done) {
  later([this, order, replacement, done = std::move(done)] {
    if (!started_ || !connected_)
      return done(make_error(ErrorKind::kDisconnected, "paper venue not connected"));
    auto fault = take_fault(Op::kReplace);
    if (fault && fault->kind == Fault::Kind::kFail) return done(fault->error);
    const bool drop = fault && fault->kind == Fault::Kind::kDrop;
    OrderRef ref;
    if (auto id = parse_id(order.venue_order_id.str())) ref.order_id = *id;
    ref.client_order_id = order.client_order_id.str();
    auto n = to_new_order(replacement);
    ++executed_[Op::kReplace];
    suppress_ = drop;
    ReplaceResult r =
        engine_->replace(engine_account(order.account), order.symbol, ref, *n, clock_.now_ns());
    Status st;
    if (r.cancel_reject != Reject::kNone) {
      // Nothing changed: the old order is unknown or closed; the replacement never existed.
      emit(ReplaceRejected{order.client_order_id, replacement.client_order_id,
                           std::string(message(r.cancel_reject)), clock_.now_ns()});
      emit(OrderRejected{replacement.client_order_id, std::string(message(r.cancel_reject)),
                         binance_code(r.cancel_reject), clock_.now_ns()});
      st = permanent(r.cancel_reject);
    } else if (!r.placed.ok()) {
      // The engine reported the replacement REJECTED; the old order keeps working.
      emit(ReplaceRejected{order.client_order_id, replacement.client_order_id,
                           std::string(message(r.placed.reject)), clock_.now_ns()});
      st = permanent(r.placed.reject);
    }
    suppress_ = false;
    if (drop) {
      pending_.clear();
      return done(make_error(ErrorKind::kUnknownOutcome, "paper: replace answer dropped"));
    }
    deliver();
    done(st);
  });
}

void PaperVenue::query(const Order& order, adapters::QueryDone done) {
  later([this, order, done = std::move(done)] {
    if (!started_ || !connected_)
      return done(make_error(ErrorKind::kDisconnected, "paper venue not connected"));
    auto fault = take_fault(Op::kQuery);
    if (fault && fault->kind == Fault::Kind::kFail) return done(fault->error);
    if (fault && fault->kind == Fault::Kind::kDrop)
      return done(make_error(ErrorKind::kUnknownOutcome, "paper: query answer dropped"));
    ++executed_[Op::kQuery];
    auto st = engine_->find(engine_account(order.account), order.client_order_id.str());
    if (!st || st->symbol != order.symbol) return done(adapters::QueryOutcome{});
    const std::int64_t now = clock_.now_ns();
    const ClientOrderId& coid = order.client_order_id;
    VenueOrderId vid(std::to_string(st->order_id));
    // Bring the journal up to date: the ack, the fills beyond what it has, the end.
    if (order.venue_order_id.empty() || order.status == OrderStatus::kPending ||
        order.status == OrderStatus::kUnknown)
      emit(OrderAccepted{coid, vid, now});
    Quantity seen;
    for (const Fill& f : engine_->order_fills(st->order_id)) {
      seen += f.quantity;
      if (seen <= order.filled_quantity) continue;
      ExecutionReport r;
      r.exec_type = ExecType::kTrade;
      r.order = *st;
      r.fill = f;
      r.ts_ns = f.ts_ns;
      listener_->on_execution(r);
    }
    OrderStatus mapped = map_status(st->status);
    if (mapped != order.status) {
      if (st->status == OrdStatus::kCanceled && st->replaced_by != 0) {
        auto repl = engine_->find(st->replaced_by);
        emit(OrderReplaced{coid, ClientOrderId(repl ? repl->client_order_id : ""),
                           VenueOrderId(std::to_string(st->replaced_by)), now});
      } else if (st->status == OrdStatus::kCanceled) {
        emit(OrderCancelled{coid, "query", now});
      } else if (st->status == OrdStatus::kExpired) {
        emit(OrderExpired{coid, "query", now});
      }
    }
    deliver();
    done(adapters::QueryOutcome{true, mapped, vid, st->executed_qty});
  });
}

void PaperVenue::recover(const std::vector<Order>& open_orders, adapters::Done done) {
  later([this, open_orders, done = std::move(done)] {
    for (const Order& o : open_orders) {
      if (!is_open(o.status)) continue;
      auto id = parse_id(o.venue_order_id.str());
      if (!id) continue;
      // Already there (recover called twice, or the venue never restarted).
      if (engine_->find(*id)) continue;
      OrderRequested req;
      req.client_order_id = o.client_order_id;
      req.account = o.account;
      req.symbol = o.symbol;
      req.side = o.side;
      req.type = o.type;
      req.quantity = o.quantity;
      req.limit_price = o.limit_price;
      req.stop_price = o.stop_price;
      req.tif = o.tif;
      RestoredOrder ro;
      ro.order_id = *id;
      ro.order = *to_new_order(req);
      ro.executed_qty = o.filled_quantity;
      ro.cumulative_quote_qty = o.filled_notional;
      ro.created_ns = o.created_ns;
      (void)engine_->restore(ro);
    }
    deliver();
    done(Status{});
  });
}

void PaperVenue::on_quote(const md::Quote& quote) {
  std::lock_guard lock(mu_);
  engine_->on_quote(quote, clock_.now_ns());
  deliver();
}

void PaperVenue::on_trade(const md::Trade& trade) {
  std::lock_guard lock(mu_);
  engine_->on_trade(trade, clock_.now_ns());
  deliver();
}

void PaperVenue::set_balance(std::string_view asset, const Money& free, const Money& locked) {
  std::lock_guard lock(mu_);
  bool s = suppress_;
  suppress_ = true;
  // Everything is free until recover() re-reserves what the restored orders need.
  engine_->set_balance(cfg_.account, asset, Balance{free + locked, Money{}}, clock_.now_ns());
  suppress_ = s;
  pending_.clear();
}

std::map<std::string, Balance> PaperVenue::balances() const {
  std::lock_guard lock(mu_);
  return engine_->balances(cfg_.account);
}

void PaperVenue::fail_next(Op op, int n, Error error) {
  std::lock_guard lock(mu_);
  faults_[op].push_back(Fault{Fault::Kind::kFail, std::move(error), n});
}

void PaperVenue::drop_answer_next(Op op, int n) {
  std::lock_guard lock(mu_);
  faults_[op].push_back(Fault{Fault::Kind::kDrop, Error{}, n});
}

void PaperVenue::reject_next_submits(int n, std::string reason) {
  std::lock_guard lock(mu_);
  Error e = make_error(ErrorKind::kPermanent, std::move(reason));
  e.venue_code = -2010;
  faults_[Op::kSubmit].push_back(Fault{Fault::Kind::kReject, std::move(e), n});
}

void PaperVenue::set_connected(bool connected) {
  std::lock_guard lock(mu_);
  if (connected == connected_) return;
  if (!connected) {
    emit(VenueConnectionChanged{cfg_.name, ConnectionState::kDisconnected, "injected",
                                clock_.now_ns()});
    deliver();
    connected_ = false;
  } else {
    connected_ = true;
    emit(VenueConnectionChanged{cfg_.name, ConnectionState::kConnected, "injected",
                                clock_.now_ns()});
    deliver();
  }
}

int PaperVenue::executed(Op op) const {
  std::lock_guard lock(mu_);
  auto it = executed_.find(op);
  return it == executed_.end() ? 0 : it->second;
}

}  // namespace at::paper
