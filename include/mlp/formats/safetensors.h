// Reading and writing the safetensors format (Hugging Face): an 8-byte little-endian header
// size, a JSON header naming each tensor's dtype, shape and byte range, then the raw bytes.
// Generic over dtypes, with float/double helpers; a bad file is an error, never a crash.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mlp/core/error.h"

namespace mlp::io {

// safetensors stores little-endian bytes and this code copies them as they are.
static_assert(std::endian::native == std::endian::little,
              "mlp::io safetensors support assumes a little-endian host");

// SafetensorsError (mlp/core/error.h): a file (or a buffer) that is not valid safetensors, or a
// tensor looked up that is not there or cannot be converted.

// The largest header accepted, in bytes (the reference implementation's limit).
inline constexpr std::uint64_t kSafetensorsMaxHeader = 100'000'000;

// Bytes per element of a dtype: BOOL U8 I8 F8_E5M2 F8_E4M3 F8_E8M0 (1), I16 U16 F16 BF16 (2),
// I32 U32 F32 (4), F64 I64 U64 C64 (8); 0 for anything else (unknown, or the sub-byte F4/F6
// types, which this reader does not support).
std::size_t safetensors_dtype_size(std::string_view dtype);

// Elements in a tensor of `shape`: the product of the dimensions, 1 for [] (a scalar),
// 0 when any dimension is 0. Throws InvalidArgument when the product overflows size_t.
std::size_t safetensors_element_count(const std::vector<std::size_t>& shape);

// One tensor: raw little-endian bytes, row-major ("C" order).
// data.size() == safetensors_element_count(shape) * safetensors_dtype_size(dtype).
struct Tensor {
  std::string dtype;                // "F32", "F64", "BF16", "I64", ...
  std::vector<std::size_t> shape;   // [] is a scalar
  std::vector<std::uint8_t> data;
};

// A set of named tensors plus the file's "__metadata__" (string to string).
// names() keeps an order: the order tensors were added, and for a file that was read,
// the order of their bytes in the file (data_offsets), ties (empty tensors) by name.
class SafeTensors {
 public:
  std::map<std::string, std::string> metadata;

  SafeTensors() = default;
  // `source` (a file name) starts the messages of lookup errors.
  explicit SafeTensors(std::string source) : source_(std::move(source)) {}

  // Adds a tensor. Throws InvalidArgument for a name already present or "__metadata__",
  // an unknown dtype, or data whose size does not match dtype and shape.
  void add(const std::string& name, Tensor tensor);
  // Adds an F32 / F64 tensor from values (row-major, count = product of shape).
  void add_f32(const std::string& name, std::vector<std::size_t> shape,
               std::span<const float> values);
  void add_f64(const std::string& name, std::vector<std::size_t> shape,
               std::span<const double> values);

  bool contains(const std::string& name) const { return index_.count(name) != 0; }
  // The tensor called `name`; throws SafetensorsError when there is none.
  const Tensor& at(const std::string& name) const;

  // The values of tensor `name` converted to float / double (row-major). F32, F64, F16, BF16,
  // the integer types and BOOL convert (as static_cast does; integers beyond 2^24 / 2^53 round,
  // F64 to float rounds to nearest); F8_* and C64 throw SafetensorsError naming the dtype.
  std::vector<float> get_f32(const std::string& name) const;
  std::vector<double> get_f64(const std::string& name) const;

  const std::vector<std::string>& names() const { return names_; }
  std::size_t size() const { return names_.size(); }
  const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::vector<std::string> names_;
  std::vector<Tensor> tensors_;                   // parallel to names_
  std::map<std::string, std::size_t> index_;      // name -> position in names_
};

// Parses a whole safetensors file held in `bytes`; `source` names it in error messages.
// Checks everything the format requires before copying any tensor bytes: header size
// (<= kSafetensorsMaxHeader and within the buffer), JSON object starting with '{' (trailing
// whitespace padding allowed), no duplicate keys, "__metadata__" values all strings, every
// tensor with a known dtype, a shape of non-negative integers and data_offsets [begin, end],
// end - begin == elements * dtype size, and the ranges, sorted, tiling the data exactly from
// 0 to its end (no hole, no overlap, no trailing bytes). Unknown extra fields in a tensor's
// entry are ignored, as the reference does. Throws SafetensorsError "source: what".
SafeTensors parse_safetensors(std::string_view bytes, const std::string& source);

// Reads and parses the file at `path` (as parse_safetensors, named by path).
SafeTensors read_safetensors(const std::string& path);

// The file's bytes, laid out as the reference writer lays them out: tensors sorted by dtype
// alignment, largest first (F64/I64/U64/C64, then 4-, 2-, 1-byte types; ties in the
// reference's dtype order), then by name, so every tensor starts aligned to its element size;
// the header is compact JSON with "__metadata__" first (omitted when empty, keys sorted),
// then each tensor's {"dtype","shape","data_offsets"} in data order, padded with spaces to a
// multiple of 8 bytes. Throws InvalidArgument if a name or metadata string is not valid UTF-8.
std::string serialize_safetensors(const SafeTensors& tensors);

// Writes serialize_safetensors(tensors) to `path` atomically (write_file_atomic): an
// existing file is replaced whole or left as it was.
void write_safetensors(const std::string& path, const SafeTensors& tensors);

}  // namespace mlp::io
