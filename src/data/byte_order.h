// Internal to src/data: byte-order helpers for the binary formats (NPY, IDX).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace mlp::data::detail {

// Reverses the byte order of n elements of `size` bytes each, in place.
inline void byteswap(void* data, std::size_t n, std::size_t size) {
  if (size == 1) return;
  auto* p = static_cast<unsigned char*>(data);
  for (std::size_t i = 0; i < n; ++i, p += size) std::reverse(p, p + size);
}

// Big-endian unsigned 32-bit value at p.
inline std::uint32_t load_be32(const unsigned char* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) |
         std::uint32_t(p[3]);
}

// Little-endian unsigned values at p.
inline std::uint32_t load_le16(const unsigned char* p) { return p[0] | (std::uint32_t(p[1]) << 8); }
inline std::uint32_t load_le32(const unsigned char* p) {
  return p[0] | (std::uint32_t(p[1]) << 8) | (std::uint32_t(p[2]) << 16) |
         (std::uint32_t(p[3]) << 24);
}

}  // namespace mlp::data::detail
