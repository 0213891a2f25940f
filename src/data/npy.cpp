// .npy reading and writing. The header is a Python dict literal; a small parser reads the
// strings, booleans, integers and tuples it holds (format: numpy/lib/format.py).
#include "data/npy.h"

#include <bit>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <vector>

#include "data/byte_order.h"
#include "core/escape.h"
#include "core/file.h"

namespace mlp::data {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicSize = 6;

// A value of the header's Python literal: only what an .npy header holds.
struct PyValue {
  enum class Kind { kString, kBool, kInt, kNone, kSequence } kind = Kind::kNone;
  std::string text;            // kString
  bool flag = false;           // kBool
  std::uint64_t number = 0;    // kInt
  std::vector<PyValue> items;  // kSequence: a tuple or a list
  bool list = false;           // kSequence written with [ ]
};

class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& path) : s_(text), path_(path) {}

  std::map<std::string, PyValue> dict() {
    expect('{');
    std::map<std::string, PyValue> out;
    while (!peek('}')) {
      PyValue key = value();
      if (key.kind != PyValue::Kind::kString) fail("a key is not a string");
      expect(':');
      out[key.text] = value();
      if (!peek('}')) expect(',');
    }
    expect('}');
    skip_space();
    if (i_ != s_.size()) fail("text after the dict");
    return out;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw DataError(path_ + ": malformed header: " + what);
  }

  void skip_space() {
    while (i_ < s_.size() &&
           (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) {
      ++i_;
    }
  }
  bool peek(char c) {
    skip_space();
    return i_ < s_.size() && s_[i_] == c;
  }
  void expect(char c) {
    if (!peek(c)) {
      fail(std::string("expected '") + c + "'" +
           (i_ < s_.size() ? " at '" + escape_for_message(s_.substr(i_, 1)) + "'" : std::string(" at the end")));
    }
    ++i_;
  }

  PyValue value() {
    skip_space();
    if (i_ == s_.size()) fail("a value is missing");
    PyValue v;
    char c = s_[i_];
    if (c == '\'' || c == '"') {
      v.kind = PyValue::Kind::kString;
      ++i_;
      while (i_ < s_.size() && s_[i_] != c) {
        if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
        v.text += s_[i_++];
      }
      if (i_ == s_.size()) fail("unterminated string");
      ++i_;
    } else if (c == '(' || c == '[') {
      v.kind = PyValue::Kind::kSequence;
      v.list = c == '[';
      const char close = c == '(' ? ')' : ']';
      ++i_;
      while (!peek(close)) {
        v.items.push_back(value());
        if (!peek(close)) expect(',');
      }
      ++i_;
    } else if (c >= '0' && c <= '9') {
      v.kind = PyValue::Kind::kInt;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
        unsigned digit = static_cast<unsigned>(s_[i_++] - '0');
        if (v.number > (UINT64_MAX - digit) / 10) fail("an integer is too large");
        v.number = v.number * 10 + digit;
      }
      if (i_ < s_.size() && (s_[i_] == 'L' || s_[i_] == 'l')) ++i_;  // Python 2's long
    } else {
      std::size_t start = i_;
      while (i_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[i_]))) ++i_;
      std::string_view word = s_.substr(start, i_ - start);
      if (word == "True" || word == "False") {
        v.kind = PyValue::Kind::kBool;
        v.flag = word == "True";
      } else if (word != "None") {
        fail("unexpected '" + escape_for_message(word.empty() ? s_.substr(start, 1) : word) + "'");
      }
    }
    return v;
  }

  std::string_view s_;
  std::size_t i_ = 0;
  const std::string& path_;
};

// The DType of a descr such as '<f4'; sets `swap` for a big-endian multi-byte type.
std::optional<DType> parse_descr(const std::string& descr, bool& swap) {
  std::string_view d = descr;
  char order = '=';
  if (!d.empty() && (d[0] == '<' || d[0] == '>' || d[0] == '|' || d[0] == '=')) {
    order = d[0];
    d.remove_prefix(1);
  }
  static const std::pair<std::string_view, DType> kTypes[] = {
      {"f4", DType::f32}, {"f8", DType::f64}, {"i1", DType::i8},     {"u1", DType::u8},
      {"i2", DType::i16}, {"u2", DType::u16}, {"i4", DType::i32},    {"u4", DType::u32},
      {"i8", DType::i64}, {"u8", DType::u64}, {"b1", DType::boolean}};
  for (const auto& [name, dtype] : kTypes) {
    if (d == name) {
      bool big_file = order == '>' || (order == '=' && std::endian::native == std::endian::big);
      swap = dtype_size(dtype) > 1 && big_file != (std::endian::native == std::endian::big);
      return dtype;
    }
  }
  return std::nullopt;
}

std::string describe_shape(const std::vector<std::uint64_t>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

// The descr numpy writes for a DType, in little-endian order.
const char* descr_of(DType dtype) {
  switch (dtype) {
    case DType::u8: return "|u1";
    case DType::i8: return "|i1";
    case DType::u16: return "<u2";
    case DType::i16: return "<i2";
    case DType::u32: return "<u4";
    case DType::i32: return "<i4";
    case DType::u64: return "<u8";
    case DType::i64: return "<i8";
    case DType::f32: return "<f4";
    case DType::f64: return "<f8";
    case DType::boolean: return "|b1";
  }
  return "";
}

// Column-major `in` (element (r, c) at c * rows + r) into row-major `out`, rows x cols elements
// of T's size.
template <typename T>
void transpose(std::byte* out, const char* in, std::size_t rows, std::size_t cols) {
  for (std::size_t c = 0; c < cols; ++c) {
    for (std::size_t r = 0; r < rows; ++r) {
      T value;
      std::memcpy(&value, in + (c * rows + r) * sizeof(T), sizeof(T));
      std::memcpy(out + (r * cols + c) * sizeof(T), &value, sizeof(T));
    }
  }
}

// What an NPY header says: the dtype's text, the layout and the shape, and where the data begins.
struct NpyHeader {
  std::string descr;
  bool fortran = false;
  std::vector<std::uint64_t> shape;
  std::size_t data_offset = 0;
};

// The magic string, the version, the header's length and its dict, read and checked.
NpyHeader npy_header(std::string_view file, const std::string& path) {
  const auto* b = reinterpret_cast<const unsigned char*>(file.data());
  const std::size_t size = file.size();
  if (size < kMagicSize + 2 || std::memcmp(b, kMagic, kMagicSize) != 0) {
    throw DataError(path + ": not an NPY file");
  }
  const unsigned major = b[6], minor = b[7];
  if (major < 1 || major > 3) {
    throw DataError(path + ": unsupported NPY format version " + std::to_string(major) + "." +
                    std::to_string(minor));
  }
  const std::size_t length_size = major == 1 ? 2 : 4;
  const std::size_t prefix = kMagicSize + 2 + length_size;
  if (size < prefix) {
    throw DataError(path + ": truncated header (the header needs at least " +
                    std::to_string(prefix) + " bytes, the file has " + std::to_string(size) + ")");
  }
  const std::size_t header_size = major == 1 ? detail::load_le16(b + 8) : detail::load_le32(b + 8);
  if (size < prefix + header_size) {
    throw DataError(path + ": truncated header (the header needs " +
                    std::to_string(prefix + header_size) + " bytes, the file has " +
                    std::to_string(size) + ")");
  }
  std::string_view header(file.data() + prefix, header_size);
  auto dict = HeaderParser(header, path).dict();

  auto field = [&](const char* key, PyValue::Kind kind, const char* what) -> const PyValue& {
    auto it = dict.find(key);
    if (it == dict.end()) throw DataError(path + ": malformed header: no '" + key + "'");
    if (it->second.kind != kind) {
      throw DataError(path + ": malformed header: '" + key + "' is not " + what);
    }
    return it->second;
  };
  auto descr_it = dict.find("descr");
  if (descr_it != dict.end() && descr_it->second.kind == PyValue::Kind::kSequence) {
    throw DataError(path + ": unsupported dtype: a structured array (record fields)");
  }
  NpyHeader h;
  h.descr = field("descr", PyValue::Kind::kString, "a string").text;
  h.fortran = field("fortran_order", PyValue::Kind::kBool, "True or False").flag;
  const PyValue& shape_value = field("shape", PyValue::Kind::kSequence, "a tuple");
  for (const PyValue& item : shape_value.items) {
    if (item.kind != PyValue::Kind::kInt) {
      throw DataError(path + ": malformed header: 'shape' holds a value that is not an integer");
    }
    h.shape.push_back(item.number);
  }
  h.data_offset = prefix + header_size;
  return h;
}

// parse_npy's work; with an `owner` of `file`, C-order data in this machine's byte order is
// viewed where it lies.
Array npy_array(std::string_view file, const std::string& path, const std::shared_ptr<const io::FileBytes>* owner) {
  const NpyHeader header = npy_header(file, path);
  const std::string& descr = header.descr;
  const bool fortran = header.fortran;
  const std::vector<std::uint64_t>& shape = header.shape;
  bool swap = false;
  std::optional<DType> dtype = parse_descr(descr, swap);
  if (!dtype) {
    throw DataError(path + ": unsupported dtype '" + escape_for_message(descr) +
                    "'; supported: float32, float64, int8, uint8, int16, uint16, int32, uint32, "
                    "int64, uint64, bool");
  }
  if (shape.empty() || shape.size() > 2) {
    throw DataError(path + ": shape " + describe_shape(shape) + " has " +
                    std::to_string(shape.size()) +
                    " dimensions; only 1-D and 2-D arrays are supported");
  }
  const std::uint64_t rows = shape[0];
  const std::uint64_t cols = shape.size() == 2 ? shape[1] : 1;
  const std::size_t item = dtype_size(*dtype);
  std::uint64_t elements = 0, expected = 0;
  const bool overflow = __builtin_mul_overflow(rows, cols, &elements) ||
                        __builtin_mul_overflow(elements, item, &expected);
  const std::size_t held = file.size() - header.data_offset;
  if (overflow || expected != held) {
    std::string dims =
        std::to_string(rows) + (shape.size() == 2 ? " x " + std::to_string(cols) : "");
    throw DataError(path + ": header says " + dims + " " + dtype_name(*dtype) + " (" +
                    (overflow ? std::string("too many") : std::to_string(expected)) +
                    " bytes) but the file holds " + std::to_string(held) + " bytes of data");
  }

  const char* data = file.data() + header.data_offset;
  if (owner && !swap && (!fortran || rows == 1 || cols == 1) && reinterpret_cast<std::uintptr_t>(data) % item == 0)
    return Array::view(*dtype, rows, cols, data, *owner);
  Array array(*dtype, rows, cols);
  if (!fortran || rows == 1 || cols == 1) {
    if (held > 0) std::memcpy(array.bytes(), data, held);
  } else {
    switch (item) {
      case 1: transpose<std::uint8_t>(array.bytes(), data, rows, cols); break;
      case 2: transpose<std::uint16_t>(array.bytes(), data, rows, cols); break;
      case 4: transpose<std::uint32_t>(array.bytes(), data, rows, cols); break;
      default: transpose<std::uint64_t>(array.bytes(), data, rows, cols); break;
    }
  }
  if (swap) detail::byteswap(array.bytes(), array.size(), item);
  return array;
}

}  // namespace

Array read_npy(const std::string& path) { return read_npy(io::map_file<DataError>(path), path); }

Array read_npy(std::shared_ptr<const io::FileBytes> file, const std::string& path) {
  return npy_array(file->view(), path, &file);
}

Array parse_npy(std::string_view file, const std::string& path) { return npy_array(file, path, nullptr); }

std::string npy_bytes(DType dtype, const void* data, std::size_t rows, std::size_t cols) {
  std::string header = std::string("{'descr': '") + descr_of(dtype) +
                       "', 'fortran_order': False, 'shape': (" + std::to_string(rows) + ", " +
                       std::to_string(cols) + "), }";
  // Magic, version 1.0, a 2-byte length; the header padded with spaces and ended by a newline
  // so that the data starts at a multiple of 64 bytes.
  std::size_t total = kMagicSize + 4 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string file(kMagic, kMagicSize);
  file += '\x01';
  file += '\x00';
  file += static_cast<char>(header.size() & 0xFF);
  file += static_cast<char>(header.size() >> 8);
  file += header;
  const std::size_t start = file.size();
  const std::size_t size = rows * cols * dtype_size(dtype);
  if (size > 0) file.append(static_cast<const char*>(data), size);
  if constexpr (std::endian::native == std::endian::big) detail::byteswap(file.data() + start, rows * cols, dtype_size(dtype));
  return file;
}

std::string npy_bytes(const Array& array) { return npy_bytes(array.dtype(), array.bytes(), array.rows(), array.cols()); }

void write_npy(const std::string& path, const Array& array) {
  io::write_file_atomic<DataError>(path, npy_bytes(array));
}

void write_npy(const std::string& path, const float* data, std::size_t rows, std::size_t cols) {
  io::write_file_atomic<DataError>(path, npy_bytes(DType::f32, data, rows, cols));
}

void write_npy(const std::string& path, const double* data, std::size_t rows, std::size_t cols) {
  io::write_file_atomic<DataError>(path, npy_bytes(DType::f64, data, rows, cols));
}

}  // namespace mlp::data
