// FaultPlan: the faults a venue simulator injects. Counters mean "the next N occurrences";
// each injected fault decrements its counter, so a plan runs out by itself.
//
// Text form (CLI `--fault`, repeatable), one item per flag, "name" or "name=value":
//   latency=MS               add MS milliseconds before every answer (REST and WS API)
//   5xx=N                    answer the next N order requests 503 without executing them
//   5xx-exec=N               execute the next N order requests, then answer 503 anyway
//   5xx-status=CODE          status used by 5xx faults (500, 502, 503, 504; default 503)
//   drop-after-accept=N      execute the next N order placements, then close the connection
//                            without answering (REST and WS API)
//   429=N                    refuse the next N requests with 429 / -1003
//   retry-after=S            Retry-After seconds for 429 faults (default 1)
//   ban=S                    ban the caller's IP for S seconds (418 / -1003)
//   ws-drop                  drop every user-data WebSocket connection now
//   ws-drop-after=N          drop user-data connections after N more user-data events
//   dup-events=N             send the next N user-data events twice
//   reorder-events=N         swap the order of the next N pairs of user-data events
// JSON form (POST /sim/fault): the same names as keys, values numbers (ws-drop: true).
#pragma once

#include <string>
#include <string_view>

#include "domain/result.h"

namespace at::sim {

struct FaultPlan {
  int latency_ms = 0;
  int http_5xx = 0;
  int http_5xx_exec = 0;
  int http_5xx_status = 503;
  int drop_after_accept = 0;
  int storm_429 = 0;
  int retry_after_s = 1;
  int ban_s = 0;
  bool ws_drop_now = false;
  int ws_drop_after_events = 0;
  int duplicate_events = 0;
  int reorder_events = 0;

  // Applies one text item ("5xx=3") to this plan.
  Status apply(std::string_view item);
  // Applies every key of a JSON object; unknown keys are an error naming the key.
  Status apply_json(std::string_view json);
  std::string to_json() const;
};

}  // namespace at::sim
