// Scheduler: runs a function at a monotonic time on the engine's thread.
//
// The engine never starts a timer itself. It shares the paper venue's scheduler interface
// (adapters/paper/scheduler.h): production hands it an AsioScheduler on the engine's
// io_context, tests a ManualScheduler that runs what is due when the test advances its
// ManualClock, so no test sleeps to wait for time to pass.
#pragma once

#include "adapters/paper/scheduler.h"

namespace at::engine {

using Scheduler = paper::Scheduler;
using ManualScheduler = paper::ManualScheduler;
using AsioScheduler = paper::AsioScheduler;

}  // namespace at::engine
