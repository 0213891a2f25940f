// throw_error: an error code back into its exception class.
#include "mlp/core/error.h"

namespace mlp {

void throw_error(ErrorCode code, const std::string& message) {
  switch (code) {
    case ErrorCode::invalid_argument: throw InvalidArgument(message);
    case ErrorCode::shape: throw ShapeError(message);
    case ErrorCode::numeric: throw NumericError(message);
    case ErrorCode::data: throw data::DataError(message);
    case ErrorCode::safetensors: throw io::SafetensorsError(message);
    case ErrorCode::error: break;
  }
  throw Error(message);
}

}  // namespace mlp
