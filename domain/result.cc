#include "domain/result.h"

namespace at {

std::string_view to_string(ErrorKind k) {
  switch (k) {
    case ErrorKind::kTransient: return "transient";
    case ErrorKind::kRateLimited: return "rate_limited";
    case ErrorKind::kDisconnected: return "disconnected";
    case ErrorKind::kUnknownOutcome: return "unknown_outcome";
    case ErrorKind::kPermanent: return "permanent";
    case ErrorKind::kCorruption: return "corruption";
    case ErrorKind::kInvalidArgument: return "invalid_argument";
    case ErrorKind::kNotFound: return "not_found";
    case ErrorKind::kIo: return "io";
  }
  return "unknown";
}

std::string Error::describe() const {
  std::string s(to_string(kind));
  s += ": ";
  s += message;
  return s;
}

}  // namespace at
