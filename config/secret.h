// config::Secret is the service's one Secret type (domain/secret.h).
#pragma once

#include "domain/secret.h"

namespace at::config {
using Secret = at::Secret;
}  // namespace at::config
