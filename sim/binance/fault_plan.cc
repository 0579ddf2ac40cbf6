#include "sim/binance/fault_plan.h"

#include <boost/json.hpp>
#include <charconv>

namespace at::sim {

namespace json = boost::json;

namespace {

struct Field {
  const char* name;
  int FaultPlan::*member;
};

constexpr Field kFields[] = {
    {"latency", &FaultPlan::latency_ms},
    {"5xx", &FaultPlan::http_5xx},
    {"5xx-exec", &FaultPlan::http_5xx_exec},
    {"5xx-status", &FaultPlan::http_5xx_status},
    {"drop-after-accept", &FaultPlan::drop_after_accept},
    {"429", &FaultPlan::storm_429},
    {"retry-after", &FaultPlan::retry_after_s},
    {"ban", &FaultPlan::ban_s},
    {"ws-drop-after", &FaultPlan::ws_drop_after_events},
    {"dup-events", &FaultPlan::duplicate_events},
    {"reorder-events", &FaultPlan::reorder_events},
};

Status set_field(FaultPlan& plan, std::string_view name, std::int64_t v) {
  if (name == "ws-drop") {
    plan.ws_drop_now = v != 0;
    return {};
  }
  for (const auto& f : kFields) {
    if (name == f.name) {
      if (v < 0 || v > 100'000'000) {
        return make_error(ErrorKind::kInvalidArgument,
                          "fault '" + std::string(name) + "': value out of range");
      }
      plan.*(f.member) = static_cast<int>(v);
      return {};
    }
  }
  return make_error(ErrorKind::kInvalidArgument,
                    "unknown fault '" + std::string(name) + "' (see docs/venues/binance-sim.md)");
}

}  // namespace

Status FaultPlan::apply(std::string_view item) {
  auto eq = item.find('=');
  std::string_view name = item.substr(0, eq);
  if (eq == std::string_view::npos) {
    if (name == "ws-drop") return set_field(*this, name, 1);
    return make_error(ErrorKind::kInvalidArgument,
                      "fault '" + std::string(item) + "' needs a value (name=N)");
  }
  std::string_view text = item.substr(eq + 1);
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) {
    return make_error(
        ErrorKind::kInvalidArgument,
        "fault '" + std::string(name) + "': '" + std::string(text) + "' is not a whole number");
  }
  return set_field(*this, name, v);
}

Status FaultPlan::apply_json(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) {
    return make_error(ErrorKind::kInvalidArgument, "fault plan must be a JSON object");
  }
  for (const auto& [k, val] : v.as_object()) {
    std::int64_t n = 0;
    if (val.is_bool()) {
      n = val.as_bool() ? 1 : 0;
    } else if (val.is_int64()) {
      n = val.as_int64();
    } else if (val.is_uint64()) {
      n = static_cast<std::int64_t>(val.as_uint64());
    } else {
      return make_error(ErrorKind::kInvalidArgument,
                        "fault '" + std::string(k) + "': value must be a number");
    }
    if (auto st = set_field(*this, k, n); !st) return st;
  }
  return {};
}

std::string FaultPlan::to_json() const {
  json::object o;
  for (const auto& f : kFields) o[f.name] = this->*(f.member);
  o["ws-drop"] = ws_drop_now;
  return json::serialize(o);
}

}  // namespace at::sim
