#include "engine/offline.h"

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>

#include "engine/engine.h"

namespace at::engine {
namespace {

// The venue of an offline engine: named like the journal's last venue, and never reached
// (the engine in offline mode sends nothing).
class AbsentVenue final : public adapters::Venue {
 public:
  explicit AbsentVenue(std::string name) : name_(std::move(name)) {}
  std::string_view name() const override { return name_; }
  void start(adapters::VenueSink&, adapters::Done done) override { done({}); }
  void stop(adapters::Done done) override { done({}); }
  std::vector<InstrumentRules> instruments() const override { return {}; }
  bool supports_native_replace() const override { return false; }
  void submit(const OrderRequested&, std::uint32_t, adapters::Done done) override {
    done(absent());
  }
  void cancel(const Order&, adapters::Done done) override { done(absent()); }
  void replace(const Order&, const OrderRequested&, adapters::Done done) override {
    done(absent());
  }
  void query(const Order&, adapters::QueryDone done) override { done(absent()); }
  void recover(const std::vector<Order>&, adapters::Done done) override { done({}); }

 private:
  static Error absent() { return make_error(ErrorKind::kDisconnected, "no engine running"); }
  std::string name_;
};

}  // namespace

struct OfflineOps::Impl {
  Impl(journal::Journal& j, const Clock& c) : journal(j), clock(c) {}
  journal::Journal& journal;
  const Clock& clock;
  boost::asio::io_context io;
  // Offline, the engine schedules nothing that must run (no venue, no timeouts); a manual
  // scheduler on a clock of its own keeps anything it might schedule from ever firing.
  ManualClock idle_clock;
  ManualScheduler scheduler{idle_clock};
  std::unique_ptr<AbsentVenue> venue;
  std::unique_ptr<Engine> engine;

  Status run(const std::function<void(std::function<void(Status)>)>& op) {
    Status result = make_error(ErrorKind::kIo, "operation did not complete");
    bool done = false;
    op([&](Status st) {
      result = std::move(st);
      done = true;
    });
    io.restart();
    io.run();
    if (engine->failed()) return make_error(ErrorKind::kIo, engine->failure());
    if (!done) return make_error(ErrorKind::kIo, "operation did not complete");
    return result;
  }
};

OfflineOps::OfflineOps(journal::Journal& journal, const Clock& clock)
    : impl_(std::make_unique<Impl>(journal, clock)) {}
OfflineOps::~OfflineOps() = default;

Status OfflineOps::load() {
  // The venue name comes from the journal itself (the last EngineStarted), so the events look
  // exactly as the running engine would have written them.
  projections::Projections probe;
  auto st = impl_->journal.read(1, impl_->journal.last_sequence(), [&](const Envelope& e) {
    if (std::holds_alternative<EngineStarted>(e.event)) probe.apply(e);
    return true;
  });
  if (!st) return st;
  std::string venue =
      probe.control().engine().venue.empty() ? "paper" : probe.control().engine().venue;
  impl_->venue = std::make_unique<AbsentVenue>(venue);
  auto log =
      std::make_shared<spdlog::logger>("offline", std::make_shared<spdlog::sinks::null_sink_mt>());
  EngineOptions o;
  impl_->engine = std::make_unique<Engine>(o, impl_->journal, *impl_->venue, impl_->scheduler,
                                           impl_->clock, impl_->io, log);
  return impl_->engine->open_offline();
}

Status OfflineOps::kill(const std::string& who, const std::string& reason, bool flatten) {
  return impl_->run([&](auto done) { impl_->engine->kill(who, reason, flatten, done); });
}

Status OfflineOps::set_trading_state(TradingState s, const std::string& who,
                                     const std::string& reason) {
  return impl_->run([&](auto done) { impl_->engine->set_trading_state(s, who, reason, done); });
}

Status OfflineOps::cancel(const ClientOrderId& id) {
  return impl_->run([&](auto done) { impl_->engine->cancel_order(id, "user", done); });
}

Status OfflineOps::dlq_retry(const ClientOrderId& id, const std::string& who) {
  return impl_->run([&](auto done) { impl_->engine->dlq_retry(id, who, done); });
}

Status OfflineOps::dlq_drop(const ClientOrderId& id, const std::string& who,
                            const std::string& reason) {
  return impl_->run([&](auto done) { impl_->engine->dlq_drop(id, who, reason, done); });
}

}  // namespace at::engine
