// The library's exceptions: every error mlp.cpp throws derives from mlp::Error,
// and its message says what went wrong with enough context to act on it.
#pragma once

#include <stdexcept>
#include <string>

namespace mlp {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Two shapes that had to agree did not; the message names both.
class ShapeError : public Error {
 public:
  using Error::Error;
};

// A bad argument: an unknown name, a value out of range.
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

// Training or evaluation produced a non-finite value.
class NumericError : public Error {
 public:
  using Error::Error;
};

}  // namespace mlp
