// bfloat16: the upper half of a float32 (8 exponent bits, 7 mantissa bits). The mixed-precision
// products of matmul.h take it as input and accumulate in float32; nothing else is stored in it.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

namespace mlp {

enum class bf16 : std::uint16_t {};

// Rounded to nearest, ties to even, as torch.bfloat16 and the CPU's vcvtneps2bf16; NaN stays NaN.
inline bf16 to_bf16(float x) {
  const std::uint32_t u = std::bit_cast<std::uint32_t>(x);
  const std::uint32_t rounded = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
  const std::uint32_t quiet_nan = (u >> 16) | 0x40u;
  return static_cast<bf16>((u & 0x7fffffffu) > 0x7f800000u ? quiet_nan : rounded);
}

// Exact: every bfloat16 is a float32.
inline float to_float(bf16 x) { return std::bit_cast<float>(static_cast<std::uint32_t>(x) << 16); }

// out[i] = to_bf16(in[i]) for n values (one vectorized pass).
void to_bf16(bf16* out, const float* in, std::size_t n);

}  // namespace mlp
