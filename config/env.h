// Environment substitution in configuration scalars.
//
// Grammar, inside one scalar:
//   ${NAME}            value of NAME; an error when NAME is unset
//   ${NAME:-default}   value of NAME, or `default` when NAME is unset or empty
//   $${                a literal "${"
//   NAME               [A-Za-z_][A-Za-z0-9_]*
// Anything else is copied unchanged. Defaults are taken literally (no nesting).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "domain/result.h"

namespace at::config {

struct Substituted {
  std::string text;
  std::vector<std::string> variables;  // every ${NAME} seen
  std::vector<std::string> missing;    // unset NAMEs without a default
  bool substituted = false;            // the text changed
};

// Errors (kInvalidArgument) only for bad syntax ("${" without "}", a bad NAME); unset
// variables are reported in `missing` so the caller can name the key path.
Result<Substituted> substitute_env(std::string_view text, const EnvLookup& env);

}  // namespace at::config
