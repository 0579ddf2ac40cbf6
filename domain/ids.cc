#include "domain/ids.h"

namespace at {

ClientOrderId make_client_order_id(std::string_view prefix, unsigned long long sequence) {
  std::string s(prefix);
  s += std::to_string(sequence);
  return ClientOrderId(std::move(s));
}

}  // namespace at
