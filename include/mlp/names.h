// Names for enumerations, looked up in one table each: how the library reads the names of
// activations, losses, initializers, optimizers, scalers and policies, with one error message.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "mlp/error.h"

namespace mlp {

template <typename E>
using NameEntry = std::pair<std::string_view, E>;

// The names of `table`, comma-separated: "impute, drop, error".
template <typename E>
std::string list_names(std::span<const NameEntry<E>> table) {
  std::string s;
  for (const auto& [name, value] : table) s += (s.empty() ? "" : ", ") + std::string(name);
  return s;
}

// The value named `name`; throws InvalidArgument "unknown <what> 'x'; valid: a, b, c".
template <typename E>
E parse_name(std::span<const NameEntry<E>> table, std::string_view name, std::string_view what) {
  for (const auto& [n, value] : table)
    if (n == name) return value;
  throw InvalidArgument("unknown " + std::string(what) + " '" + std::string(name) + "'; valid: " + list_names(table));
}

// The (first) name of `value` in `table`; "" when it has none.
template <typename E>
std::string name_of(std::span<const NameEntry<E>> table, E value) {
  for (const auto& [n, v] : table)
    if (v == value) return std::string(n);
  return {};
}

}  // namespace mlp
