// Names for enumerations, looked up in one table each: how the library reads the names of
// activations, losses, initializers, optimizers, scalers and policies, with one error message.
// A table lists each value's canonical name first, then any aliases ({"mae", mae}, ..., {"l1", mae});
// a parameterized spelling ("huber:1.5") is looked up by its name part, its caller reads the rest.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mlp/core/error.h"
#include "core/escape.h"

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

// The value named `name`; throws InvalidArgument "unknown <what> 'x'; <valid>", where `valid` is
// "valid: a, b, c" (list_names) unless the caller gives its own text (with aliases, parameters).
template <typename E>
E parse_name(std::span<const NameEntry<E>> table, std::string_view name, std::string_view what,
             std::string_view valid = {}) {
  for (const auto& [n, value] : table)
    if (n == name) return value;
  throw InvalidArgument("unknown " + std::string(what) + " '" + escape_for_message(name) + "'; " +
                        (valid.empty() ? "valid: " + list_names(table) : std::string(valid)));
}

// The (first) name of `value` in `table`; "" when it has none.
template <typename E>
std::string name_of(std::span<const NameEntry<E>> table, E value) {
  for (const auto& [n, v] : table)
    if (v == value) return std::string(n);
  return {};
}

// The canonical names of `table` in its order: every name but the aliases (names of a value that
// an earlier entry names).
template <typename E>
std::vector<std::string> canonical_names(std::span<const NameEntry<E>> table) {
  std::vector<std::string> out;
  for (const auto& [n, v] : table)
    if (name_of(table, v) == n) out.emplace_back(n);
  return out;
}

}  // namespace mlp
