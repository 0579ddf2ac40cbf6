#include "config/env.h"

#include <cctype>
#include <cstdlib>

namespace at::config {
namespace {

bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

}  // namespace

EnvLookup process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Result<Substituted> substitute_env(std::string_view text, const EnvLookup& env) {
  Substituted out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      out.text += "${";
      out.substituted = true;
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out.text += text[i++];
      continue;
    }
    std::size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos)
      return make_error(ErrorKind::kInvalidArgument,
                        "unterminated '${': expected ${NAME} or ${NAME:-default}");
    std::string_view body = text.substr(i + 2, close - i - 2);
    std::string_view name = body;
    std::optional<std::string_view> fallback;
    if (auto p = body.find(":-"); p != std::string_view::npos) {
      name = body.substr(0, p);
      fallback = body.substr(p + 2);
    }
    bool valid = !name.empty() && is_name_start(name[0]);
    for (char c : name) valid = valid && is_name_char(c);
    if (!valid)
      return make_error(ErrorKind::kInvalidArgument, "bad variable name in '${" +
                                                         std::string(body.substr(0, 40)) +
                                                         "}': expected [A-Za-z_][A-Za-z0-9_]*");
    out.variables.emplace_back(name);
    std::optional<std::string> value = env ? env(name) : std::nullopt;
    if (fallback && (!value || value->empty())) value = std::string(*fallback);
    if (!value)
      out.missing.emplace_back(name);
    else
      out.text += *value;
    out.substituted = true;
    i = close + 1;
  }
  return out;
}

}  // namespace at::config
