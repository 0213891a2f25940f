// Numbers and arrays printed the way Python and numpy print them, so mlp's output
// can be held against the tutorial's line by line.
#pragma once

#include <cstddef>
#include <string>

namespace mlp {

// Python's repr(float): the shortest string that reads back the same double,
// positional for exponents in [-4, 16), scientific otherwise ("0.01857474128461772", "1e-05").
std::string format_repr(double x);

// printf's %.<digits>g: "0.123457", "1.5e-07": numbers in messages and summaries.
std::string format_short(double x, int digits = 6);

// The shortest string that reads back the same float: float32 values at their own precision
// (at most 9 significant digits), as numpy prints a float32.
std::string format_repr_f32(float x);

// A number as a label or category name, a parameter in a name ("leaky_relu:2", "huber:0.5") or a
// value in a message: whole numbers as integers ("3", "-1"), others as format_repr ("2.5", "1e-05",
// "nan"). Reads back as the same double (but for -0, which shows as "0").
std::string format_label(double x);

// numpy's str() of a float64 array with default print options (precision 8, 'maxprec'):
// shared padding, scientific notation when numpy would use it, nan and inf.
// As a 1-D array "[a b c]" when rows == 1 and as_vector, else 2-D "[[a b]\n [c d]]".
std::string format_numpy(const double* values, std::size_t rows, std::size_t cols, bool as_vector = false);

}  // namespace mlp
