// OfflineOps: operator commands on a journal while no engine runs. It opens an Engine in
// offline mode (replay only, never the venue), so the same engine code decides which events a
// kill, a cancel or a DLQ retry appends; the next `autotrader run` acts on them at start
// (re-sends pending cancels, sends retried intents, keeps trading HALTED).
#pragma once

#include <memory>
#include <string>

#include "domain/clock.h"
#include "domain/result.h"
#include "journal/journal.h"

namespace at::engine {

class OfflineOps {
 public:
  OfflineOps(journal::Journal& journal, const Clock& clock);
  ~OfflineOps();
  // Replays the journal. Must succeed before any command.
  Status load();
  Status kill(const std::string& who, const std::string& reason, bool flatten);
  Status set_trading_state(TradingState s, const std::string& who, const std::string& reason);
  Status cancel(const ClientOrderId& id);
  Status dlq_retry(const ClientOrderId& id, const std::string& who);
  Status dlq_drop(const ClientOrderId& id, const std::string& who, const std::string& reason);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace at::engine
