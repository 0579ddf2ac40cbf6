// Names the calling thread, so that `top -H`, `ps -L` and profiles tell the service's threads
// apart (the journal's writer and syncer, the snapshotter, replay's reader).
#pragma once

namespace at {

// Linux keeps at most 15 characters; a longer name is cut. Best effort: a failure is ignored
// (a thread name is a diagnostic aid, nothing depends on it).
void name_this_thread(const char* name);

}  // namespace at
