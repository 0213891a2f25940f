// The library's exceptions: every error mlp.cpp throws derives from mlp::Error, and its message
// says what went wrong with enough context to act on it. Each kind has a code (Error::code()), so
// that an error can cross a process boundary (the data-parallel agreement on failures) and be
// thrown again as the same kind (throw_error).
#pragma once

#include <stdexcept>
#include <string>

namespace mlp {

enum class ErrorCode { error = 1, invalid_argument, shape, numeric, data, safetensors };

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  virtual ErrorCode code() const noexcept { return ErrorCode::error; }
};

// Two shapes that had to agree did not; the message names both.
class ShapeError : public Error {
 public:
  using Error::Error;
  ErrorCode code() const noexcept override { return ErrorCode::shape; }
};

// A bad argument: an unknown name, a value out of range.
class InvalidArgument : public Error {
 public:
  using Error::Error;
  ErrorCode code() const noexcept override { return ErrorCode::invalid_argument; }
};

// Training or evaluation produced a non-finite value.
class NumericError : public Error {
 public:
  using Error::Error;
  ErrorCode code() const noexcept override { return ErrorCode::numeric; }
};

namespace data {
// What the data readers throw: a file that cannot be read as the format it claims to be, or data
// that cannot be used. Messages are one line and start with the path (and line:column where
// there is one).
class DataError : public Error {
 public:
  using Error::Error;
  ErrorCode code() const noexcept override { return ErrorCode::data; }
};
}  // namespace data

namespace io {
// A file (or a buffer) that is not valid safetensors, or a tensor looked up that is not there or
// cannot be converted. The message is one line, starting with the file's name.
class SafetensorsError : public Error {
 public:
  using Error::Error;
  ErrorCode code() const noexcept override { return ErrorCode::safetensors; }
};
}  // namespace io

// Throws the exception class of `code` with `message` (Error for a code it does not know).
[[noreturn]] void throw_error(ErrorCode code, const std::string& message);

}  // namespace mlp
