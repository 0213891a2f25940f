// How a CSV cell reads as a number, shared by the general reader (csv.cpp) and the all-numeric one
// (csv_numbers.cpp), so that both read every cell alike: Python float()'s rules (csv.h).
#pragma once

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <string>
#include <string_view>

#include "mlp/data/csv.h"

#ifdef MLP_USE_FAST_FLOAT
#include <fast_float/fast_float.h>
#endif

namespace mlp::data::detail {

inline bool is_blank(char c) { return c == ' ' || c == '\t'; }

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

inline bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x >= 'A' && x <= 'Z' ? x + 32 : x) == (y >= 'A' && y <= 'Z' ? y + 32 : y);
         });
}

enum class Number { kOk, kMissing, kNotNumber };

// Parses a whole cell as Python's float() would (finite or not); spaces and tabs around it
// are allowed. Out-of-range values become ±inf (overflow) or 0/denormal (underflow).
// true and false (any letter case) are 1 and 0; missing values (is_missing) are kMissing.
inline Number parse_number(std::string_view cell, double& value) {
  cell = trim(cell);
  const char* b = cell.data();
  const char* e = b + cell.size();
  if (b == e) return Number::kMissing;
  if (*b > '9' || *b == '?') {  // not a digit, sign or point: a word, then
    if (equals_ignoring_case(cell, "true") || equals_ignoring_case(cell, "false")) {
      value = (*b == 't' || *b == 'T') ? 1 : 0;
      return Number::kOk;
    }
    if (is_missing(cell)) return Number::kMissing;
  }
  const char* start = b;
  if (*b == '+') {
    ++b;
    if (b == e || *b == '-' || *b == '+') return Number::kNotNumber;
  }
#ifdef MLP_USE_FAST_FLOAT
  auto [ptr, ec] = fast_float::from_chars(b, e, value);  // the same grammar, measured faster
#else
  auto [ptr, ec] = std::from_chars(b, e, value, std::chars_format::general);
#endif
  if (ptr != e || e[-1] == ')') return Number::kNotNumber;  // float() rejects "nan(...)"
  if (ec == std::errc::result_out_of_range) {
    // from_chars leaves value unset; strtod gives ±HUGE_VAL on overflow and 0 or a denormal on
    // underflow, as float() does.
    std::string copy(start, e);
    value = std::strtod(copy.c_str(), nullptr);
  } else if (ec != std::errc()) {
    return Number::kNotNumber;
  }
  return Number::kOk;
}

}  // namespace mlp::data::detail
