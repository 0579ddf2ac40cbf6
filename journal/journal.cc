#include "journal/journal.h"

#include <string>

#include "journal/codec.h"

namespace at::journal {

Status Journal::read_raw(std::uint64_t from, std::uint64_t to,
                         const std::function<bool(std::string_view record)>& visit) const {
  std::string buf;
  return read(from, to, [&](const Envelope& e) {
    buf.clear();
    encode_to(e.sequence, e.recorded_ns, e.causation, e.event, buf);
    return visit(buf);
  });
}

}  // namespace at::journal
