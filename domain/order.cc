#include "domain/order.h"

#include <algorithm>

namespace at {

Price Order::average_price() const {
  if (filled_quantity.is_zero()) return Price();
  int scale = std::min(Decimal::kMaxScale, filled_notional.scale() + 4);
  return Decimal::divide(filled_notional, filled_quantity, scale).normalized();
}

}  // namespace at
