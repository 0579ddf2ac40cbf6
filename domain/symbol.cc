#include "domain/symbol.h"

#include <cctype>
#include <stdexcept>

namespace at {

Result<Symbol> Symbol::parse(std::string_view text) {
  if (text.empty() || text.size() > 32)
    return make_error(ErrorKind::kInvalidArgument,
                      "invalid symbol '" + std::string(text.substr(0, 40)) +
                          "': expected BASE-QUOTE or a ticker of 1-32 characters");
  std::string s;
  int seps = 0;
  for (char c : text) {
    if (c == '-' || c == '/' || c == '_') {
      s += '-';
      ++seps;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '.') {
      s += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    } else {
      return make_error(ErrorKind::kInvalidArgument,
                        "invalid symbol '" + std::string(text) + "': unexpected character");
    }
  }
  if (seps > 1 || s.front() == '-' || s.back() == '-')
    return make_error(ErrorKind::kInvalidArgument,
                      "invalid symbol '" + std::string(text) + "': expected BASE-QUOTE");
  return Symbol(std::move(s));
}

Symbol Symbol::of(std::string_view text) {
  auto r = parse(text);
  if (!r) throw std::invalid_argument(r.error().message);
  return *r;
}

std::string_view Symbol::base() const {
  auto p = s_.find('-');
  return p == std::string::npos ? std::string_view(s_) : std::string_view(s_).substr(0, p);
}

std::string_view Symbol::quote() const {
  auto p = s_.find('-');
  return p == std::string::npos ? std::string_view("USD") : std::string_view(s_).substr(p + 1);
}

}  // namespace at
