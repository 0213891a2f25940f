// The safetensors reader and writer: header validation (every rule checked before any tensor
// byte is copied), dtype conversion for the float/double helpers, and the reference layout.
#include "mlp/formats/safetensors.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "mlp/core/bf16.h"
#include "core/escape.h"
#include "core/file.h"

namespace mlp::io {
namespace {

static_assert(sizeof(std::size_t) == sizeof(std::uint64_t),
              "safetensors offsets and shapes are 64-bit; a 64-bit host is assumed");

using json = nlohmann::json;

// dtype name, bytes per element, and rank in the reference's Dtype enum (ascending alignment;
// its writer sorts by it, largest first). The ranks skip F4, F6_E2M3 and F6_E3M2 (1-3): those
// sub-byte types are not supported.
struct DtypeInfo {
  std::string_view name;
  std::size_t size;
  int rank;
};

constexpr DtypeInfo kDtypes[] = {
    {"BOOL", 1, 0},    {"U8", 1, 4},       {"I8", 1, 5},    {"F8_E5M2", 1, 6},
    {"F8_E4M3", 1, 7}, {"F8_E8M0", 1, 8},  {"I16", 2, 9},   {"U16", 2, 10},
    {"F16", 2, 11},    {"BF16", 2, 12},    {"I32", 4, 13},  {"U32", 4, 14},
    {"F32", 4, 15},    {"C64", 8, 16},     {"F64", 8, 17},  {"I64", 8, 18},
    {"U64", 8, 19},
};

const DtypeInfo* find_dtype(std::string_view dtype) {
  for (const DtypeInfo& d : kDtypes)
    if (d.name == dtype) return &d;
  return nullptr;
}

// `s` (a tensor name, a key) quoted for a one-line message, escaped, cut after 80 characters.
std::string quote(std::string_view s) { return "'" + escape_for_message(s, 80) + "'"; }

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(shape[i]);
  }
  out += "]";
  return out;
}

// Product of the dimensions; false when it overflows (a zero dimension gives 0 first).
bool element_count(const std::vector<std::size_t>& shape, std::size_t& count) {
  if (std::find(shape.begin(), shape.end(), std::size_t{0}) != shape.end()) {
    count = 0;
    return true;
  }
  std::size_t n = 1;
  for (std::size_t d : shape) {
    if (n > std::numeric_limits<std::size_t>::max() / d) return false;
    n *= d;
  }
  count = n;
  return true;
}

// Bytes of a tensor; false on overflow.
bool byte_count(const DtypeInfo& dtype, const std::vector<std::size_t>& shape,
                std::size_t& bytes) {
  std::size_t n = 0;
  if (!element_count(shape, n)) return false;
  if (n > std::numeric_limits<std::size_t>::max() / dtype.size) return false;
  bytes = n * dtype.size;
  return true;
}

template <typename T>
T load(const std::uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

float f16_to_float(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t exponent = (h >> 10) & 0x1fu;
  const std::uint32_t mantissa = h & 0x3ffu;
  if (exponent == 0) {  // zero or subnormal: mantissa * 2^-24
    float v = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -v : v;
  }
  std::uint32_t bits = exponent == 31 ? (sign | 0x7f800000u | (mantissa << 13))
                                      : (sign | ((exponent + 112) << 23) | (mantissa << 13));
  return std::bit_cast<float>(bits);
}

float load_f16(const std::uint8_t* p) { return f16_to_float(load<std::uint16_t>(p)); }
float load_bf16(const std::uint8_t* p) { return to_float(static_cast<bf16>(load<std::uint16_t>(p))); }

template <typename Out>
std::vector<Out> convert(const Tensor& t, const std::string& where, const char* getter) {
  const DtypeInfo* info = find_dtype(t.dtype);
  const std::size_t n = info ? t.data.size() / info->size : 0;
  std::vector<Out> out(n);
  const std::uint8_t* p = t.data.data();
  auto each = [&](auto decode, std::size_t size) {
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<Out>(decode(p + i * size));
  };
  const std::string_view d = t.dtype;
  if (d == "F32") each(load<float>, 4);
  else if (d == "F64") each(load<double>, 8);
  else if (d == "F16") each(load_f16, 2);
  else if (d == "BF16") each(load_bf16, 2);
  else if (d == "I8") each(load<std::int8_t>, 1);
  else if (d == "U8") each(load<std::uint8_t>, 1);
  else if (d == "BOOL") each([](const std::uint8_t* q) { return *q != 0 ? 1 : 0; }, 1);
  else if (d == "I16") each(load<std::int16_t>, 2);
  else if (d == "U16") each(load<std::uint16_t>, 2);
  else if (d == "I32") each(load<std::int32_t>, 4);
  else if (d == "U32") each(load<std::uint32_t>, 4);
  else if (d == "I64") each(load<std::int64_t>, 8);
  else if (d == "U64") each(load<std::uint64_t>, 8);
  else
    throw SafetensorsError(where + " has dtype " + t.dtype + ", which " + getter +
                           " cannot convert (it reads F32, F64, F16, BF16, integers and BOOL)");
  return out;
}

// Throws InvalidArgument unless `s` is valid UTF-8 (JSON output requires it).
void check_utf8(const std::string& s, const std::string& what) {
  try {
    (void)json(s).dump();
  } catch (const json::exception&) {
    throw InvalidArgument("safetensors: " + what + " " + quote(s) + " is not valid UTF-8");
  }
}

// "an array", "a string", "null": a JSON value's type, for messages.
std::string a_type(const json& value) {
  if (value.is_null()) return "null";
  const std::string name = value.type_name();
  return (value.is_array() || value.is_object() ? "an " : "a ") + name;
}

// One tensor's header entry, before it is checked against the others.
struct Entry {
  std::string name;
  const DtypeInfo* dtype = nullptr;
  std::vector<std::size_t> shape;
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
};

class Parser {
 public:
  Parser(std::string_view bytes, const std::string& source) : bytes_(bytes), source_(source) {}

  SafeTensors parse() {
    if (bytes_.size() < 8)
      fail("not a safetensors file: " + std::to_string(bytes_.size()) +
           " bytes, too short for the 8-byte header size");
    const auto* file = reinterpret_cast<const std::uint8_t*>(bytes_.data());
    const std::uint64_t n = load<std::uint64_t>(file);
    if (n > kSafetensorsMaxHeader)
      fail("not a safetensors file: its first 8 bytes give a header size of " + std::to_string(n) +
           ", over the limit of " + std::to_string(kSafetensorsMaxHeader) + " bytes");
    const std::uint64_t after_size = bytes_.size() - 8;
    if (n > after_size)
      fail("not a safetensors file (or a truncated one): header size " + std::to_string(n) + " runs past the end of the file (" +
           std::to_string(after_size) + " bytes follow the size field)");
    const std::string_view text = bytes_.substr(8, n);
    const json header = parse_json(text);
    if (!header.is_object())
      fail("header is not a JSON object but " + a_type(header));
    if (text.front() != '{') fail("header does not start with '{'");

    SafeTensors result(source_);
    std::vector<Entry> entries;
    for (const auto& [key, value] : header.items()) {
      if (key == "__metadata__") {
        read_metadata(value, result.metadata);
      } else {
        entries.push_back(read_entry(key, value));
      }
    }
    // Byte order in the file; empty tensors that share an offset, by name.
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
      if (a.begin != b.begin) return a.begin < b.begin;
      if (a.end != b.end) return a.end < b.end;
      return a.name < b.name;
    });

    std::uint64_t cursor = 0;
    const Entry* previous = nullptr;
    for (const Entry& e : entries) {
      const std::string where = "tensor " + quote(e.name) + ": data_offsets [" +
                                std::to_string(e.begin) + ", " + std::to_string(e.end) + "]";
      if (e.end < e.begin) fail(where + " end before they begin");
      if (e.begin > cursor)
        fail(where + " leave a hole: bytes [" + std::to_string(cursor) + ", " +
             std::to_string(e.begin) + ") belong to no tensor");
      if (e.begin < cursor)
        fail(where + " overlap tensor " + quote(previous->name) + ", which ends at " +
             std::to_string(cursor));
      std::size_t bytes = 0;
      if (!byte_count(*e.dtype, e.shape, bytes))
        fail("tensor " + quote(e.name) + ": shape " + shape_text(e.shape) +
             " is too large (its byte count overflows)");
      if (e.end - e.begin != bytes)
        fail(where + " hold " + std::to_string(e.end - e.begin) + " bytes, but " +
             std::string(e.dtype->name) + " " + shape_text(e.shape) + " needs " +
             std::to_string(bytes));
      cursor = e.end;
      previous = &e;
    }
    const std::uint64_t data_size = after_size - n;
    if (cursor > data_size)
      fail("data is truncated: the tensors need " + std::to_string(cursor) +
           " bytes after the header, the file has " + std::to_string(data_size));
    if (cursor < data_size)
      fail("the data has " + std::to_string(data_size - cursor) +
           " bytes after the last tensor, which belong to no tensor");

    const std::uint8_t* data = file + 8 + n;
    for (Entry& e : entries) {
      Tensor t;
      t.dtype = std::string(e.dtype->name);
      t.shape = std::move(e.shape);
      t.data.assign(data + e.begin, data + e.end);
      result.add(e.name, std::move(t));
    }
    return result;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw SafetensorsError(source_ + ": " + what);
  }

  // Parses the header, noting the first key that repeats within one object (the parser
  // itself would keep only the last).
  json parse_json(std::string_view text) {
    std::vector<std::set<std::string>> open;  // keys seen, one set per open object
    bool found_duplicate = false;
    std::string duplicate;
    bool duplicate_top = false;
    auto callback = [&](int /*depth*/, json::parse_event_t event, json& parsed) {
      if (event == json::parse_event_t::object_start) {
        open.emplace_back();
      } else if (event == json::parse_event_t::object_end) {
        if (!open.empty()) open.pop_back();
      } else if (event == json::parse_event_t::key && !open.empty() && !found_duplicate &&
                 parsed.is_string()) {
        if (!open.back().insert(parsed.get_ref<const std::string&>()).second) {
          found_duplicate = true;
          duplicate = parsed.get_ref<const std::string&>();
          duplicate_top = open.size() == 1;
        }
      }
      return true;
    };
    json header;
    try {
      header = json::parse(text.begin(), text.end(), callback);
    } catch (const json::exception& e) {
      std::string message = e.what();
      if (message.rfind("[json.exception.", 0) == 0) {
        std::size_t close = message.find("] ");
        if (close != std::string::npos) message.erase(0, close + 2);
      }
      // The parser quotes the bytes it read, which may not be text.
      fail("header is not valid JSON: " + escape_for_message(message, std::string_view::npos));
    }
    if (found_duplicate) {
      if (duplicate_top && duplicate != "__metadata__")
        fail("duplicate tensor name " + quote(duplicate) + " in the header");
      fail("duplicate key " + quote(duplicate) + " in the header");
    }
    return header;
  }

  void read_metadata(const json& value, std::map<std::string, std::string>& metadata) const {
    if (!value.is_object())
      fail("__metadata__ is not an object of strings but " + a_type(value));
    for (const auto& [key, v] : value.items()) {
      if (!v.is_string())
        fail("__metadata__ value for " + quote(key) + " is not a string but " + a_type(v));
      metadata[key] = v.get<std::string>();
    }
  }

  // A JSON array of non-negative integers; `what` names it in errors.
  std::vector<std::uint64_t> unsigned_array(const json& value, const std::string& what) const {
    if (!value.is_array()) fail(what + " is not an array but " + a_type(value));
    std::vector<std::uint64_t> out;
    out.reserve(value.size());
    for (const json& v : value) {
      if (!v.is_number_unsigned())
        fail(what + " holds " + quote(v.dump()) + ", not a non-negative integer");
      out.push_back(v.get<std::uint64_t>());
    }
    return out;
  }

  Entry read_entry(const std::string& name, const json& value) const {
    const std::string where = "tensor " + quote(name);
    if (!value.is_object())
      fail(where + " is not an object but " + a_type(value));
    for (const char* field : {"dtype", "shape", "data_offsets"})
      if (!value.contains(field)) fail(where + " has no \"" + field + "\"");
    Entry e;
    e.name = name;
    const json& dtype = value.at("dtype");
    if (!dtype.is_string())
      fail(where + ": \"dtype\" is not a string but " + a_type(dtype));
    const std::string& dtype_name = dtype.get_ref<const std::string&>();
    e.dtype = find_dtype(dtype_name);
    if (e.dtype == nullptr) fail(where + ": unknown dtype " + quote(dtype_name));
    for (std::uint64_t d : unsigned_array(value.at("shape"), where + ": \"shape\""))
      e.shape.push_back(static_cast<std::size_t>(d));
    const std::vector<std::uint64_t> offsets =
        unsigned_array(value.at("data_offsets"), where + ": \"data_offsets\"");
    if (offsets.size() != 2)
      fail(where + ": \"data_offsets\" has " + std::to_string(offsets.size()) +
           " numbers, not 2 ([begin, end])");
    e.begin = offsets[0];
    e.end = offsets[1];
    return e;
  }

  std::string_view bytes_;
  const std::string& source_;
};

}  // namespace

std::size_t safetensors_dtype_size(std::string_view dtype) {
  const DtypeInfo* info = find_dtype(dtype);
  return info ? info->size : 0;
}

std::size_t safetensors_element_count(const std::vector<std::size_t>& shape) {
  std::size_t n = 0;
  if (!element_count(shape, n))
    throw InvalidArgument("safetensors: shape " + shape_text(shape) + " has too many elements");
  return n;
}

void SafeTensors::add(const std::string& name, Tensor tensor) {
  const std::string what = "safetensors: cannot add tensor " + quote(name) + ": ";
  if (name == "__metadata__") throw InvalidArgument(what + "the name is reserved for metadata");
  if (contains(name)) throw InvalidArgument(what + "a tensor of that name is already there");
  const DtypeInfo* info = find_dtype(tensor.dtype);
  if (info == nullptr) throw InvalidArgument(what + "unknown dtype " + quote(tensor.dtype));
  std::size_t bytes = 0;
  if (!byte_count(*info, tensor.shape, bytes))
    throw InvalidArgument(what + "shape " + shape_text(tensor.shape) + " is too large");
  if (tensor.data.size() != bytes)
    throw InvalidArgument(what + tensor.dtype + " " + shape_text(tensor.shape) + " needs " +
                          std::to_string(bytes) + " bytes, got " +
                          std::to_string(tensor.data.size()));
  index_.emplace(name, names_.size());
  names_.push_back(name);
  tensors_.push_back(std::move(tensor));
}

namespace {

template <typename T>
Tensor tensor_from(const char* dtype, std::vector<std::size_t> shape, std::span<const T> values) {
  Tensor t;
  t.dtype = dtype;
  t.shape = std::move(shape);
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(values.data());
  t.data.assign(bytes, bytes + values.size_bytes());
  return t;
}

}  // namespace

void SafeTensors::add_f32(const std::string& name, std::vector<std::size_t> shape,
                          std::span<const float> values) {
  add(name, tensor_from("F32", std::move(shape), values));
}

void SafeTensors::add_f64(const std::string& name, std::vector<std::size_t> shape,
                          std::span<const double> values) {
  add(name, tensor_from("F64", std::move(shape), values));
}

const Tensor& SafeTensors::at(const std::string& name) const {
  auto it = index_.find(name);
  if (it == index_.end())
    throw SafetensorsError((source_.empty() ? std::string("safetensors") : source_) +
                           ": no tensor " + quote(name));
  return tensors_[it->second];
}

std::vector<float> SafeTensors::get_f32(const std::string& name) const {
  const std::string where =
      (source_.empty() ? std::string("safetensors") : source_) + ": tensor " + quote(name);
  return convert<float>(at(name), where, "get_f32");
}

std::vector<double> SafeTensors::get_f64(const std::string& name) const {
  const std::string where =
      (source_.empty() ? std::string("safetensors") : source_) + ": tensor " + quote(name);
  return convert<double>(at(name), where, "get_f64");
}

SafeTensors parse_safetensors(std::string_view bytes, const std::string& source) {
  return Parser(bytes, source).parse();
}

SafeTensors read_safetensors(const std::string& path) {
  return parse_safetensors(read_file<SafetensorsError>(path).view(), path);
}

std::string serialize_safetensors(const SafeTensors& tensors) {
  using ordered = nlohmann::ordered_json;
  const std::vector<std::string>& names = tensors.names();
  std::vector<std::size_t> order(names.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto rank = [&](std::size_t i) { return find_dtype(tensors.at(names[i]).dtype)->rank; };
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (rank(a) != rank(b)) return rank(a) > rank(b);
    return names[a] < names[b];
  });

  ordered header = ordered::object();
  if (!tensors.metadata.empty()) {
    ordered meta = ordered::object();
    for (const auto& [key, value] : tensors.metadata) {
      check_utf8(key, "metadata key");
      check_utf8(value, "metadata value");
      meta[key] = value;
    }
    header["__metadata__"] = std::move(meta);
  }
  std::uint64_t offset = 0;
  for (std::size_t i : order) {
    const Tensor& t = tensors.at(names[i]);
    check_utf8(names[i], "tensor name");
    ordered entry = ordered::object();
    entry["dtype"] = t.dtype;
    entry["shape"] = t.shape;
    entry["data_offsets"] = ordered::array({offset, offset + t.data.size()});
    offset += t.data.size();
    header[names[i]] = std::move(entry);
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');

  std::string out;
  out.reserve(8 + text.size() + offset);
  const std::uint64_t n = text.size();
  out.append(reinterpret_cast<const char*>(&n), 8);
  out += text;
  for (std::size_t i : order) {
    const Tensor& t = tensors.at(names[i]);
    out.append(reinterpret_cast<const char*>(t.data.data()), t.data.size());
  }
  return out;
}

void write_safetensors(const std::string& path, const SafeTensors& tensors) {
  write_file_atomic(path, serialize_safetensors(tensors));
}

}  // namespace mlp::io
