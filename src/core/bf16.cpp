// The buffer-wide bfloat16 conversion (the scalar forms are inline in the header).
#include "mlp/core/bf16.h"

namespace mlp {

void to_bf16(bf16* out, const float* in, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = to_bf16(in[i]);
}

}  // namespace mlp
