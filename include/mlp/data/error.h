// The error the data readers throw: a file that cannot be read as the format it claims to be.
// Messages are one line and start with the path (and line:column where there is one).
#pragma once

#include "mlp/error.h"

namespace mlp::data {

class DataError : public Error {
 public:
  using Error::Error;
};

}  // namespace mlp::data
