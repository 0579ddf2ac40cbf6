#include "platform/thread_name.h"

#include <pthread.h>

#include <cstring>

namespace at {

void name_this_thread(const char* name) {
#if defined(__linux__)
  char buf[16];
  std::strncpy(buf, name, sizeof buf - 1);
  buf[sizeof buf - 1] = '\0';
  pthread_setname_np(pthread_self(), buf);
#else
  (void)name;
#endif
}

}  // namespace at
