// Python/numpy number formatting: the shortest round-trip digits (std::to_chars), then
// numpy's rules for precision, padding and when to switch to scientific notation.
#include "core/format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <vector>

namespace mlp {
namespace {

// Shortest round-trip digits and decimal exponent: x = 0.d1d2d3... * 10^(exp + 1), i.e. d1.d2d3 * 10^exp.
struct Digits {
  bool negative = false;
  std::string digits;  // no leading zeros, at least one digit
  int exp = 0;
};

Digits shortest_digits(double x) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific);
  std::string s(buf, res.ptr);
  Digits d;
  std::size_t i = 0;
  if (s[i] == '-') {
    d.negative = true;
    ++i;
  }
  std::size_t e = s.find('e');
  for (std::size_t k = i; k < e; ++k)
    if (s[k] != '.') d.digits += s[k];
  d.exp = std::stoi(s.substr(e + 1));
  while (d.digits.size() > 1 && d.digits.back() == '0') d.digits.pop_back();
  return d;
}

std::string positional(const Digits& d) {
  std::string out;
  int n = static_cast<int>(d.digits.size());
  if (d.exp >= 0) {
    if (n <= d.exp + 1) {
      out = d.digits + std::string(d.exp + 1 - n, '0') + ".";
    } else {
      out = d.digits.substr(0, d.exp + 1) + "." + d.digits.substr(d.exp + 1);
    }
  } else {
    out = "0." + std::string(-d.exp - 1, '0') + d.digits;
  }
  return out;
}

std::string exponent_string(int exp, std::size_t min_digits) {
  std::string e = std::to_string(std::abs(exp));
  if (e.size() < min_digits) e = std::string(min_digits - e.size(), '0') + e;
  return std::string(exp < 0 ? "-" : "+") + e;
}

// numpy's dragon4_positional(x, precision=8, unique=True, trim='.'): shortest digits, cut to 8
// fractional digits when longer, trailing zeros dropped, "1." for whole numbers.
std::string numpy_positional(double x) {
  Digits d = shortest_digits(x);
  std::string s = positional(d);
  std::size_t dot = s.find('.');
  if (s.size() - dot - 1 > 8) {
    char buf[512];
    std::snprintf(buf, sizeof buf, "%.8f", std::fabs(x));
    s = buf;
    while (s.back() == '0') s.pop_back();
  }
  if (std::signbit(x)) s.insert(s.begin(), '-');
  return s;
}

// numpy's dragon4_scientific(x, precision=8, unique=True, trim='.'), as mantissa and exponent.
void numpy_scientific(double x, std::string& mantissa, int& exp) {
  Digits d = shortest_digits(x);
  if (d.digits.size() > 9) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.8e", std::fabs(x));
    std::string s = buf;
    std::size_t e = s.find('e');
    exp = std::stoi(s.substr(e + 1));
    s = s.substr(0, e);
    while (s.back() == '0') s.pop_back();
    mantissa = s;
  } else {
    exp = d.exp;
    mantissa = d.digits.substr(0, 1) + "." + d.digits.substr(1);
  }
  if (std::signbit(x)) mantissa.insert(mantissa.begin(), '-');
}

}  // namespace

std::string format_repr(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  Digits d = shortest_digits(x);
  std::string sign = d.negative ? "-" : "";
  if (x == 0) return sign + "0.0";
  if (d.exp >= -4 && d.exp < 16) {
    std::string s = positional(d);
    if (s.back() == '.') s += "0";
    return sign + s;
  }
  std::string m = d.digits.substr(0, 1);
  if (d.digits.size() > 1) m += "." + d.digits.substr(1);
  return sign + m + "e" + exponent_string(d.exp, 2);
}

std::string format_numpy(const double* values, std::size_t rows, std::size_t cols, bool as_vector) {
  const std::size_t n = rows * cols;
  std::vector<double> finite;
  bool has_neg_inf = false;
  for (std::size_t i = 0; i < n; ++i) {
    if (std::isfinite(values[i]))
      finite.push_back(values[i]);
    else if (std::isinf(values[i]) && values[i] < 0)
      has_neg_inf = true;
  }
  // numpy switches to scientific when the largest |x| >= 1e8, the smallest nonzero |x| < 1e-4,
  // or their ratio exceeds 1000.
  double max_abs = 0, min_abs = INFINITY;
  for (double v : finite)
    if (v != 0) {
      max_abs = std::max(max_abs, std::fabs(v));
      min_abs = std::min(min_abs, std::fabs(v));
    }
  bool sci = max_abs > 0 && (max_abs >= 1e8 || min_abs < 1e-4 || max_abs / min_abs > 1000.0);

  std::vector<std::string> ints(n), fracs(n);  // integer and fractional parts of each finite value
  std::vector<int> exps(n);
  std::size_t pad_left = 0, pad_right = 0, exp_digits = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(values[i])) continue;
    std::string s;
    if (sci) {
      numpy_scientific(values[i], s, exps[i]);
      exp_digits = std::max(exp_digits, std::max<std::size_t>(2, std::to_string(std::abs(exps[i])).size()));
    } else {
      s = numpy_positional(values[i]);
    }
    std::size_t dot = s.find('.');
    ints[i] = s.substr(0, dot);
    fracs[i] = s.substr(dot + 1);
    pad_left = std::max(pad_left, ints[i].size());
    pad_right = std::max(pad_right, fracs[i].size());
  }
  std::size_t right_width = sci ? pad_right + 2 + exp_digits : pad_right;
  if (finite.size() != n) {
    std::size_t offset = right_width + 1;
    std::size_t inf_len = 3 + (has_neg_inf ? 1 : 0);
    if (3 > offset) pad_left = std::max(pad_left, 3 - offset);
    if (inf_len > offset) pad_left = std::max(pad_left, inf_len - offset);
  }
  std::size_t width = pad_left + 1 + right_width;

  auto element = [&](std::size_t i) {
    double v = values[i];
    if (!std::isfinite(v)) {
      std::string s = std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
      return std::string(width > s.size() ? width - s.size() : 0, ' ') + s;
    }
    std::string s = std::string(pad_left - ints[i].size(), ' ') + ints[i] + ".";
    if (sci) {
      // Scientific: every mantissa gets the same number of fractional digits.
      s += fracs[i] + std::string(pad_right - fracs[i].size(), '0') + "e" + exponent_string(exps[i], exp_digits);
    } else {
      s += fracs[i] + std::string(pad_right - fracs[i].size(), ' ');
    }
    return s;
  };

  std::string out;
  bool vector = as_vector && rows == 1;
  if (!vector) out += "[";
  for (std::size_t r = 0; r < rows; ++r) {
    if (r > 0) out += vector ? "" : "\n ";
    out += "[";
    for (std::size_t c = 0; c < cols; ++c) {
      if (c > 0) out += " ";
      out += element(r * cols + c);
    }
    out += "]";
  }
  if (!vector) out += "]";
  return out;
}

std::string format_label(double x) {
  if (x == std::floor(x) && std::fabs(x) < 1e15) return std::to_string(static_cast<long long>(x));
  return format_repr(x);
}

std::string format_short(double x, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*g", digits, x);
  return buf;
}

std::string format_repr_f32(float x) {
  if (!std::isfinite(x)) return format_repr(x);
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, end);
}

}  // namespace mlp
