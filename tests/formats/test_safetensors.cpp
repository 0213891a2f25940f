// mlp::io safetensors: round trips, a written file checked byte by byte without the reader,
// fixtures laid out as the reference writer does (scripts/gen_safetensors_fixtures.py), the
// reference crate's own test vectors, every error message, and truncated/corrupted files.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "mlp/core/error.h"
#include "mlp/formats/safetensors.h"
#include "golden.h"

namespace {

using mlp::io::SafeTensors;
using mlp::io::SafetensorsError;
using mlp::io::Tensor;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void spit(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string temp_path(const std::string& name) { return ::testing::TempDir() + name; }

template <typename T>
Tensor make(const char* dtype, std::vector<std::size_t> shape, const std::vector<T>& values) {
  Tensor t;
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.data.resize(values.size() * sizeof(T));
  if (!values.empty()) std::memcpy(t.data.data(), values.data(), t.data.size());
  return t;
}

// A file: the 8-byte size of `header` (little-endian), `header`, then `data`.
std::string file_bytes(const std::string& header, const std::string& data = "") {
  std::string out(8, '\0');
  std::uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return out + header + data;
}

// Parses `bytes` expecting a SafetensorsError whose one-line message names the source and
// contains `expected`.
void expect_error(const std::string& bytes, const std::string& expected) {
  try {
    mlp::io::parse_safetensors(bytes, "bad.safetensors");
    ADD_FAILURE() << "no error; expected: " << expected;
  } catch (const SafetensorsError& e) {
    std::string message = e.what();
    EXPECT_EQ(message.rfind("bad.safetensors: ", 0), 0u) << message;
    EXPECT_NE(message.find(expected), std::string::npos) << message << "\nexpected: " << expected;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

// A valid header entry for tensor bytes [begin, end).
std::string entry(const std::string& dtype, const std::string& shape, std::uint64_t begin,
                  std::uint64_t end) {
  return "{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" +
         std::to_string(begin) + "," + std::to_string(end) + "]}";
}

// ---- fixtures -------------------------------------------------------------------------------

const std::vector<std::string> kReferenceOrder = {"hashes", "steps", "bias",  "empty", "weight",
                                                  "ids",    "labels", "brain", "half",  "small",
                                                  "tiny",   "pixels", "mask"};

TEST(Safetensors, ReadsReferenceLayoutFixture) {
  SafeTensors st = mlp::io::read_safetensors(mlp_test::golden_path("safetensors_reference.safetensors"));
  EXPECT_EQ(st.names(), kReferenceOrder);  // the order of the bytes in the file
  EXPECT_EQ(st.metadata, (std::map<std::string, std::string>{{"format", "pt"},
                                                              {"note", "caf\xc3\xa9"}}));

  EXPECT_EQ(st.at("weight").dtype, "F32");
  EXPECT_EQ(st.at("weight").shape, (std::vector<std::size_t>{2, 3}));
  EXPECT_EQ(st.get_f32("weight"), (std::vector<float>{-1, -0.5, 0, 0.5, 1, 1.5}));
  EXPECT_EQ(st.get_f64("bias"), (std::vector<double>{0.1, -0.2, 3.0}));
  EXPECT_EQ(st.get_f32("bias"), (std::vector<float>{0.1f, -0.2f, 3.0f}));  // rounded to float
  EXPECT_TRUE(st.at("steps").shape.empty());                                // a scalar
  EXPECT_EQ(st.get_f64("steps"), (std::vector<double>{1000}));
  EXPECT_EQ(st.at("empty").shape, (std::vector<std::size_t>{0, 3}));
  EXPECT_TRUE(st.at("empty").data.empty());
  EXPECT_TRUE(st.get_f64("empty").empty());
  // F16: 1, -2.5, the largest half (65504), the smallest subnormal (2^-24), infinity.
  EXPECT_EQ(st.get_f64("half"),
            (std::vector<double>{1, -2.5, 65504, std::ldexp(1.0, -24),
                                 std::numeric_limits<double>::infinity()}));
  EXPECT_EQ(st.get_f32("brain"), (std::vector<float>{1, -3.140625f, 0.0078125f}));
  EXPECT_EQ(st.get_f64("labels"), (std::vector<double>{-1, 0, 7, 2147483647}));
  EXPECT_EQ(st.get_f32("labels")[3], 2147483648.0f);  // 2^31 - 1 rounds in float
  EXPECT_EQ(st.get_f64("small"), (std::vector<double>{-32768, 123}));
  EXPECT_EQ(st.get_f64("tiny"), (std::vector<double>{-128, 0, 127}));
  EXPECT_EQ(st.get_f64("pixels"), (std::vector<double>{0, 1, 128, 255}));
  EXPECT_EQ(st.get_f64("mask"), (std::vector<double>{1, 0, 1}));
  EXPECT_EQ(st.at("mask").data, (std::vector<std::uint8_t>{1, 0, 1}));
  EXPECT_EQ(st.get_f64("ids"), (std::vector<double>{0, 4294967295.0}));
  // 2^64 - 1 rounds to 2^64 in double.
  EXPECT_EQ(st.get_f64("hashes"), (std::vector<double>{18446744073709551616.0}));
}

// The same tensors, added in another order, serialize to the fixture's exact bytes.
TEST(Safetensors, WritesReferenceLayoutByteForByte) {
  SafeTensors st;
  st.metadata = {{"note", "caf\xc3\xa9"}, {"format", "pt"}};
  st.add("mask", make<std::uint8_t>("BOOL", {3}, {1, 0, 1}));
  st.add("weight", make<float>("F32", {2, 3}, {-1, -0.5, 0, 0.5, 1, 1.5}));
  st.add_f64("bias", {3}, std::vector<double>{0.1, -0.2, 3.0});
  st.add("half", make<std::uint16_t>("F16", {5}, {0x3c00, 0xc100, 0x7bff, 0x0001, 0x7c00}));
  st.add("brain", make<std::uint16_t>("BF16", {3}, {0x3f80, 0xc049, 0x3c00}));
  st.add("steps", make<std::int64_t>("I64", {}, {1000}));
  st.add("labels", make<std::int32_t>("I32", {4}, {-1, 0, 7, 2147483647}));
  st.add("small", make<std::int16_t>("I16", {2}, {-32768, 123}));
  st.add("tiny", make<std::int8_t>("I8", {3}, {-128, 0, 127}));
  st.add("pixels", make<std::uint8_t>("U8", {2, 2}, {0, 1, 128, 255}));
  st.add("ids", make<std::uint32_t>("U32", {2}, {0, 4294967295u}));
  st.add("hashes", make<std::uint64_t>("U64", {1}, {18446744073709551615ull}));
  st.add_f32("empty", {0, 3}, std::vector<float>{});
  EXPECT_EQ(mlp::io::serialize_safetensors(st),
            mlp_test::golden_text("safetensors_reference.safetensors"));
}

TEST(Safetensors, ReadsLegacyLayoutFixture) {
  // Keys by name, data in another order, "__metadata__" last, pretty-printed, header not 8-aligned.
  SafeTensors st = mlp::io::read_safetensors(mlp_test::golden_path("safetensors_legacy.safetensors"));
  EXPECT_EQ(st.names(), (std::vector<std::string>{"z_weight", "nothing", "a_bias", "scalar"}));
  EXPECT_EQ(st.metadata, (std::map<std::string, std::string>{{"source", "numpy"}}));
  EXPECT_EQ(st.get_f32("z_weight"), (std::vector<float>{1.5, -2.0, 0.25, 8.0}));
  EXPECT_EQ(st.get_f64("z_weight"), (std::vector<double>{1.5, -2.0, 0.25, 8.0}));
  EXPECT_EQ(st.at("nothing").shape, (std::vector<std::size_t>{0}));
  EXPECT_EQ(st.get_f64("a_bias"), (std::vector<double>{-0.5, 1e-3}));
  EXPECT_TRUE(st.at("scalar").shape.empty());
  EXPECT_EQ(st.get_f64("scalar"), (std::vector<double>{2.5}));
}

// Test vectors from the reference crate's own tests (huggingface/safetensors, tensor.rs).
TEST(Safetensors, MatchesReferenceCrateTestVectors) {
  SafeTensors empty;
  EXPECT_EQ(mlp::io::serialize_safetensors(empty), file_bytes("{}      "));
  empty.metadata["framework"] = "pt";
  EXPECT_EQ(mlp::io::serialize_safetensors(empty),
            file_bytes("{\"__metadata__\":{\"framework\":\"pt\"}}     "));

  const std::vector<float> values = {0, 1, 2, 3, 4, 5};
  std::string data(reinterpret_cast<const char*>(values.data()), 24);
  SafeTensors one;
  one.add_f32("attn.0", {1, 2, 3}, values);  // a 64-byte header: no padding
  EXPECT_EQ(mlp::io::serialize_safetensors(one),
            file_bytes("{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}",
                       data));
  SafeTensors padded;
  padded.add_f32("attn0", {1, 1, 2, 3}, values);  // 65 bytes, padded to 72
  EXPECT_EQ(
      mlp::io::serialize_safetensors(padded),
      file_bytes("{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}"
                 "       ",
                 data));
  // The reference's read example: I32 [2, 2], 16 zero bytes, an unpadded 60-byte header.
  SafeTensors read = mlp::io::parse_safetensors(
      file_bytes("{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}",
                 std::string(16, '\0')),
      "example");
  EXPECT_EQ(read.get_f64("test"), (std::vector<double>{0, 0, 0, 0}));
}

// ---- round trips ----------------------------------------------------------------------------

SafeTensors sample() {
  SafeTensors st;
  st.metadata = {{"format", "mlp"}, {"epochs", "1000"}, {"empty", ""}};
  st.add_f64("layers.0.weight", {4, 2},
             std::vector<double>{1.45194929, -0.1474136, 1.43685721, -0.44933811, 2.02293515,
                                 -0.21256492, 0.69414288, -0.14437451});
  st.add_f64("layers.0.bias", {4}, std::vector<double>{1.01033819, 0.02443414, 0.79897522, -0.0});
  st.add_f32("layers.1.weight", {1, 4},
             std::vector<float>{1.40180962f, 1.43530707f, 1.97136187f, 0.69754262f});
  st.add_f32("layers.1.bias", {1}, std::vector<float>{std::numeric_limits<float>::denorm_min()});
  st.add_f64("scale", {}, std::vector<double>{std::nan("")});
  st.add_f32("none", {3, 0}, std::vector<float>{});
  return st;
}

TEST(Safetensors, RoundTripF32F64WithMetadata) {
  const SafeTensors original = sample();
  const std::string path = temp_path("round_trip.safetensors");
  mlp::io::write_safetensors(path, original);
  const SafeTensors back = mlp::io::read_safetensors(path);
  EXPECT_EQ(back.metadata, original.metadata);
  ASSERT_EQ(back.size(), original.size());
  for (const std::string& name : original.names()) {
    ASSERT_TRUE(back.contains(name)) << name;
    EXPECT_EQ(back.at(name).dtype, original.at(name).dtype) << name;
    EXPECT_EQ(back.at(name).shape, original.at(name).shape) << name;
    EXPECT_EQ(back.at(name).data, original.at(name).data) << name;  // bit for bit (NaN, -0)
  }
  // Read back in file order: 8-byte dtypes first, then 4-byte, each by name.
  EXPECT_EQ(back.names(), (std::vector<std::string>{"layers.0.bias", "layers.0.weight", "scale",
                                                    "layers.1.bias", "layers.1.weight", "none"}));
  EXPECT_EQ(back.get_f64("layers.1.weight")[2], static_cast<double>(1.97136187f));
  EXPECT_TRUE(std::isnan(back.get_f32("scale")[0]));
  // Writing again replaces the file whole.
  SafeTensors small;
  small.add_f32("x", {1}, std::vector<float>{7});
  mlp::io::write_safetensors(path, small);
  EXPECT_EQ(mlp::io::read_safetensors(path).names(), (std::vector<std::string>{"x"}));
}

// The written file, taken apart by hand: the reader under test is not used.
TEST(Safetensors, WrittenFileLayoutCheckedByHand) {
  const SafeTensors st = sample();
  const std::string path = temp_path("by_hand.safetensors");
  mlp::io::write_safetensors(path, st);
  const std::string bytes = slurp(path);
  ASSERT_GE(bytes.size(), 8u);
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
  ASSERT_LE(8 + n, bytes.size());
  EXPECT_EQ(n % 8, 0u);
  const std::string text = bytes.substr(8, n);
  EXPECT_EQ(text.front(), '{');
  const std::size_t close = text.find_last_of('}');
  EXPECT_EQ(text.find_first_not_of(' ', close + 1), std::string::npos);  // only spaces after '}'
  EXPECT_LT(n - (close + 1), 8u);

  const auto header = nlohmann::ordered_json::parse(text);
  ASSERT_TRUE(header.is_object());
  std::vector<std::string> keys;
  for (const auto& item : header.items()) keys.push_back(item.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"__metadata__", "layers.0.bias", "layers.0.weight",
                                            "scale", "layers.1.bias", "layers.1.weight", "none"}));
  EXPECT_EQ(header["__metadata__"], nlohmann::ordered_json::parse(
                                        R"({"empty":"","epochs":"1000","format":"mlp"})"));
  // Each entry is {"dtype","shape","data_offsets"}, the ranges tile the data.
  const std::string data = bytes.substr(8 + n);
  std::uint64_t cursor = 0;
  for (std::size_t k = 1; k < keys.size(); ++k) {
    const auto& e = header[keys[k]];
    std::vector<std::string> fields;
    for (const auto& item : e.items()) fields.push_back(item.key());
    EXPECT_EQ(fields, (std::vector<std::string>{"dtype", "shape", "data_offsets"})) << keys[k];
    const std::uint64_t begin = e["data_offsets"][0], end = e["data_offsets"][1];
    EXPECT_EQ(begin, cursor) << keys[k];
    EXPECT_EQ(begin % (e["dtype"] == "F64" ? 8 : 4), 0u) << keys[k];  // aligned
    const Tensor& t = st.at(keys[k]);
    EXPECT_EQ(e["dtype"].get<std::string>(), t.dtype);
    EXPECT_EQ(e["shape"].get<std::vector<std::size_t>>(), t.shape);
    ASSERT_EQ(end - begin, t.data.size()) << keys[k];
    EXPECT_TRUE(std::equal(t.data.begin(), t.data.end(),
                           reinterpret_cast<const std::uint8_t*>(data.data()) + begin))
        << keys[k];
    cursor = end;
  }
  EXPECT_EQ(cursor, data.size());
  // Spot checks of values decoded by hand. F64: layers.0.bias [0, 32), layers.0.weight
  // [32, 96), scale [96, 104); then F32: layers.1.bias [104, 108), layers.1.weight [108, 124).
  double first = 0;
  std::memcpy(&first, data.data(), 8);
  EXPECT_EQ(first, 1.01033819);
  EXPECT_EQ(header["layers.1.weight"]["data_offsets"], nlohmann::ordered_json::parse("[108,124]"));
  float third = 0;
  std::memcpy(&third, data.data() + 108 + 8, 4);
  EXPECT_EQ(third, 1.97136187f);
}

TEST(Safetensors, KeepsInsertionOrderAndConverts) {
  SafeTensors st;
  st.add_f64("b", {2}, std::vector<double>{1.0 / 3.0, 1e300});
  st.add_f32("a", {2}, std::vector<float>{0.1f, -2});
  EXPECT_EQ(st.names(), (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(st.get_f32("b"),
            (std::vector<float>{1.0f / 3.0f, std::numeric_limits<float>::infinity()}));
  EXPECT_EQ(st.get_f64("a"), (std::vector<double>{static_cast<double>(0.1f), -2.0}));
  // F16 by hand: -0, NaN, -inf, the smallest normal 2^-14, -2^-24, and 0x3555 =
  // 2^(13-15) * (1 + 341/1024) = 0.333251953125.
  st.add("h", make<std::uint16_t>("F16", {6}, {0x8000, 0x7e00, 0xfc00, 0x0400, 0x8001, 0x3555}));
  const std::vector<double> h = st.get_f64("h");
  EXPECT_TRUE(h[0] == 0 && std::signbit(h[0]));
  EXPECT_TRUE(std::isnan(h[1]));
  EXPECT_EQ(h[2], -std::numeric_limits<double>::infinity());
  EXPECT_EQ(h[3], std::ldexp(1.0, -14));
  EXPECT_EQ(h[4], -std::ldexp(1.0, -24));
  EXPECT_EQ(h[5], 0.333251953125);
  EXPECT_EQ(mlp::io::safetensors_dtype_size("BF16"), 2u);
  EXPECT_EQ(mlp::io::safetensors_dtype_size("C64"), 8u);
  EXPECT_EQ(mlp::io::safetensors_dtype_size("F4"), 0u);
  const std::vector<std::size_t> scalar, empty = {3, 0, 5}, cube = {2, 3, 4},
                                 huge = {1ull << 32, 1ull << 32};
  EXPECT_EQ(mlp::io::safetensors_element_count(scalar), 1u);
  EXPECT_EQ(mlp::io::safetensors_element_count(empty), 0u);
  EXPECT_EQ(mlp::io::safetensors_element_count(cube), 24u);
  EXPECT_THROW(mlp::io::safetensors_element_count(huge), mlp::InvalidArgument);
}

// ---- API errors -----------------------------------------------------------------------------

template <typename E, typename F>
void expect_throw_with(F f, const std::string& expected) {
  try {
    f();
    ADD_FAILURE() << "no error; expected: " << expected;
  } catch (const E& e) {
    EXPECT_EQ(std::string(e.what()), expected);
  }
}

TEST(Safetensors, AddAndLookupErrors) {
  SafeTensors st;
  st.add_f32("w", {2}, std::vector<float>{1, 2});
  expect_throw_with<mlp::InvalidArgument>(
      [&] { st.add_f32("w", {1}, std::vector<float>{1}); },
      "safetensors: cannot add tensor 'w': a tensor of that name is already there");
  expect_throw_with<mlp::InvalidArgument>(
      [&] { st.add_f32("__metadata__", {1}, std::vector<float>{1}); },
      "safetensors: cannot add tensor '__metadata__': the name is reserved for metadata");
  expect_throw_with<mlp::InvalidArgument>(
      [&] { st.add_f32("v", {2, 2}, std::vector<float>{1, 2, 3}); },
      "safetensors: cannot add tensor 'v': F32 [2, 2] needs 16 bytes, got 12");
  expect_throw_with<mlp::InvalidArgument>(
      [&] { st.add("v", make<float>("F33", {1}, {1})); },
      "safetensors: cannot add tensor 'v': unknown dtype 'F33'");
  expect_throw_with<mlp::InvalidArgument>(
      [&] { st.add("v", make<std::uint8_t>("F4", {2}, {0})); },
      "safetensors: cannot add tensor 'v': unknown dtype 'F4'");
  expect_throw_with<SafetensorsError>([&] { st.at("nope"); }, "safetensors: no tensor 'nope'");
  st.add("f8", make<std::uint8_t>("F8_E4M3", {2}, {0, 1}));
  st.add("c", make<float>("C64", {1}, {1, 2}));
  expect_throw_with<SafetensorsError>(
      [&] { st.get_f32("f8"); },
      "safetensors: tensor 'f8' has dtype F8_E4M3, which get_f32 cannot convert (it reads F32, "
      "F64, F16, BF16, integers and BOOL)");
  expect_throw_with<SafetensorsError>(
      [&] { st.get_f64("c"); },
      "safetensors: tensor 'c' has dtype C64, which get_f64 cannot convert (it reads F32, F64, "
      "F16, BF16, integers and BOOL)");
  EXPECT_EQ(st.names(), (std::vector<std::string>{"w", "f8", "c"}));  // failed adds left nothing

  const SafeTensors loaded =
      mlp::io::parse_safetensors(mlp::io::serialize_safetensors(st), "m.safetensors");
  expect_throw_with<SafetensorsError>([&] { loaded.get_f64("x\ny"); },
                                      "m.safetensors: no tensor 'x\\ny'");
}

TEST(Safetensors, WriteErrors) {
  SafeTensors bad_name;
  bad_name.add_f32("\xff", {1}, std::vector<float>{1});
  expect_throw_with<mlp::InvalidArgument>(
      [&] { mlp::io::serialize_safetensors(bad_name); },
      "safetensors: tensor name '\\xff' is not valid UTF-8");
  SafeTensors bad_meta;
  bad_meta.metadata["k"] = "\xc3";
  expect_throw_with<mlp::InvalidArgument>(
      [&] { mlp::io::serialize_safetensors(bad_meta); },
      "safetensors: metadata value '\\xc3' is not valid UTF-8");
  const std::string path = temp_path("no_such_dir/x.safetensors");
  EXPECT_THROW(mlp::io::write_safetensors(path, sample()), mlp::Error);
}

// ---- file errors ----------------------------------------------------------------------------

TEST(Safetensors, MissingFile) {
  const std::string path = temp_path("does_not_exist.safetensors");
  expect_throw_with<SafetensorsError>([&] { mlp::io::read_safetensors(path); },
                                      path + ": cannot open: No such file or directory");
  expect_throw_with<SafetensorsError>([&] { mlp::io::read_safetensors(::testing::TempDir()); },
                                      ::testing::TempDir() + ": cannot open: Is a directory");
}

TEST(Safetensors, HeaderSizeErrors) {
  expect_error("", "not a safetensors file: 0 bytes, too short for the 8-byte header size");
  expect_error(std::string(5, '\0'), "not a safetensors file: 5 bytes, too short for the 8-byte header size");
  std::string huge = file_bytes("{}");
  huge[3] = 0x10;  // 2 + 0x10 << 24 = 268435458
  expect_error(huge, "not a safetensors file: its first 8 bytes give a header size of 268435458, over the limit of 100000000 bytes");
  std::string all_ones(8, '\xff');
  expect_error(all_ones + "{}", "header size of 18446744073709551615, over the limit");
  std::string past = file_bytes("{}");
  past[0] = 3;
  expect_error(past, "header size 3 runs past the end of the file (2 bytes follow the size field)");
  // A truncated file on disk, through read_safetensors.
  const std::string path = temp_path("short.safetensors");
  spit(path, "abc");
  expect_throw_with<SafetensorsError>(
      [&] { mlp::io::read_safetensors(path); },
      path + ": not a safetensors file: 3 bytes, too short for the 8-byte header size");
}

TEST(Safetensors, JsonErrors) {
  expect_error(file_bytes(""), "header is not valid JSON: parse error at line 1, column 1");
  expect_error(file_bytes("{\"a\":"), "header is not valid JSON: parse error");
  expect_error(file_bytes("{\"a\":{}} x"), "header is not valid JSON: parse error");
  expect_error(file_bytes("{\"\xff\":{}}"), "ill-formed UTF-8 byte; last read: '\"\\xff'");
  expect_error(file_bytes("{\"a\":1e999}"), "header is not valid JSON");
  expect_error(file_bytes("[1, 2]  "), "header is not a JSON object but an array");
  expect_error(file_bytes("\"x\"     "), "header is not a JSON object but a string");
  expect_error(file_bytes(" {}"), "header does not start with '{'");
  // Trailing whitespace (the padding) is fine.
  EXPECT_EQ(mlp::io::parse_safetensors(file_bytes("{}\n\t  "), "x").size(), 0u);
}

TEST(Safetensors, DuplicateKeys) {
  const std::string w = entry("F32", "[1]", 0, 4);
  expect_error(file_bytes("{\"w\":" + w + ",\"w\":" + w + "}", std::string(4, '\0')),
               "duplicate tensor name 'w' in the header");
  expect_error(file_bytes("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"U8\",\"shape\":[4],"
                          "\"data_offsets\":[0,4]}}",
                          std::string(4, '\0')),
               "duplicate key 'dtype' in the header");
  expect_error(file_bytes("{\"__metadata__\":{},\"__metadata__\":{}}"),
               "duplicate key '__metadata__' in the header");
  expect_error(file_bytes("{\"__metadata__\":{\"a\":\"1\",\"a\":\"2\"}}"),
               "duplicate key 'a' in the header");
  // The same key in different objects is fine.
  const std::string two = "{\"a\":" + entry("F32", "[1]", 0, 4) + ",\"b\":" +
                          entry("F32", "[1]", 4, 8) + "}";
  EXPECT_EQ(mlp::io::parse_safetensors(file_bytes(two, std::string(8, '\0')), "x").size(), 2u);
}

TEST(Safetensors, MetadataErrors) {
  expect_error(file_bytes("{\"__metadata__\":[]}"),
               "__metadata__ is not an object of strings but an array");
  expect_error(file_bytes("{\"__metadata__\":{\"epochs\":1000}}"),
               "__metadata__ value for 'epochs' is not a string but a number");
  expect_error(file_bytes("{\"__metadata__\":{\"a\":\"b\",\"c\":null}}"),
               "__metadata__ value for 'c' is not a string but null");
}

TEST(Safetensors, EntryFieldErrors) {
  const std::string d4(4, '\0');
  expect_error(file_bytes("{\"w\":[]}"), "tensor 'w' is not an object but an array");
  expect_error(file_bytes("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", d4),
               "tensor 'w' has no \"dtype\"");
  expect_error(file_bytes("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", d4),
               "tensor 'w' has no \"shape\"");
  expect_error(file_bytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", d4),
               "tensor 'w' has no \"data_offsets\"");
  expect_error(file_bytes("{\"w\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", d4),
               "tensor 'w': \"dtype\" is not a string but a number");
  expect_error(file_bytes("{\"w\":" + entry("F33", "[1]", 0, 4) + "}", d4),
               "tensor 'w': unknown dtype 'F33'");
  expect_error(file_bytes("{\"w\":" + entry("F4", "[2]", 0, 1) + "}", std::string(1, '\0')),
               "tensor 'w': unknown dtype 'F4'");
  expect_error(file_bytes("{\"w\":" + entry("F32", "4", 0, 4) + "}", d4),
               "tensor 'w': \"shape\" is not an array but a number");
  expect_error(file_bytes("{\"w\":" + entry("F32", "[-1]", 0, 4) + "}", d4),
               "tensor 'w': \"shape\" holds '-1', not a non-negative integer");
  expect_error(file_bytes("{\"w\":" + entry("F32", "[1.0]", 0, 4) + "}", d4),
               "tensor 'w': \"shape\" holds '1.0', not a non-negative integer");
  expect_error(file_bytes("{\"w\":" + entry("F32", "[\"1\"]", 0, 4) + "}", d4),
               "tensor 'w': \"shape\" holds '\"1\"', not a non-negative integer");
  expect_error(
      file_bytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", d4),
      "tensor 'w': \"data_offsets\" has 3 numbers, not 2 ([begin, end])");
  expect_error(file_bytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":{}}}", d4),
               "tensor 'w': \"data_offsets\" is not an array but an object");
  expect_error(
      file_bytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,-4]}}", d4),
      "tensor 'w': \"data_offsets\" holds '-4', not a non-negative integer");
  // Extra fields are ignored, as the reference does.
  EXPECT_EQ(mlp::io::parse_safetensors(
                file_bytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],"
                           "\"extra\":true}}",
                           d4),
                "x")
                .size(),
            1u);
}

TEST(Safetensors, OffsetErrors) {
  const std::string d8(8, '\0');
  expect_error(file_bytes("{\"w\":" + entry("F32", "[1]", 4, 0) + "}", d8),
               "tensor 'w': data_offsets [4, 0] end before they begin");
  expect_error(file_bytes("{\"w\":" + entry("F32", "[1]", 4, 8) + "}", d8),
               "tensor 'w': data_offsets [4, 8] leave a hole: bytes [0, 4) belong to no tensor");
  expect_error(file_bytes("{\"a\":" + entry("F32", "[2]", 0, 8) + ",\"b\":" +
                          entry("F32", "[1]", 4, 8) + "}",
                          d8),
               "tensor 'b': data_offsets [4, 8] overlap tensor 'a', which ends at 8");
  expect_error(file_bytes("{\"a\":" + entry("F32", "[1]", 0, 4) + ",\"b\":" +
                          entry("F32", "[1]", 0, 4) + "}",
                          d8),
               "tensor 'b': data_offsets [0, 4] overlap tensor 'a', which ends at 4");
  expect_error(file_bytes("{\"w\":" + entry("F32", "[3]", 0, 8) + "}", d8),
               "tensor 'w': data_offsets [0, 8] hold 8 bytes, but F32 [3] needs 12");
  expect_error(file_bytes("{\"w\":" + entry("F64", "[]", 0, 4) + "}", std::string(4, '\0')),
               "tensor 'w': data_offsets [0, 4] hold 4 bytes, but F64 [] needs 8");
  expect_error(file_bytes("{\"w\":" + entry("F32", "[0]", 0, 4) + "}", std::string(4, '\0')),
               "tensor 'w': data_offsets [0, 4] hold 4 bytes, but F32 [0] needs 0");
  expect_error(
      file_bytes("{\"w\":" + entry("F32", "[4294967296,4294967296]", 0, 0) + "}"),
      "tensor 'w': shape [4294967296, 4294967296] is too large (its byte count overflows)");
  expect_error(
      file_bytes("{\"w\":" + entry("F32", "[18446744073709551615]", 0, 0) + "}"),
      "tensor 'w': shape [18446744073709551615] is too large");
  expect_error(file_bytes("{\"w\":" + entry("F32", "[2]", 0, 8) + "}", std::string(5, '\0')),
               "data is truncated: the tensors need 8 bytes after the header, the file has 5");
  expect_error(file_bytes("{\"w\":" + entry("F32", "[2]", 0, 8) + "}", std::string(9, '\0')),
               "the data has 1 bytes after the last tensor, which belong to no tensor");
  expect_error(file_bytes("{}", "x"), "the data has 1 bytes after the last tensor");
  expect_error(
      file_bytes("{\"w\":" + entry("U8", "[1]", 18446744073709551614ull, 18446744073709551615ull) +
                 "}"),
      "leave a hole: bytes [0, 18446744073709551614) belong to no tensor");
  // A name with a newline stays on one line in the message.
  expect_error(file_bytes("{\"a\\nb\":" + entry("F32", "[1]", 0, 8) + "}", d8),
               "tensor 'a\\nb': data_offsets [0, 8] hold 8 bytes, but F32 [1] needs 4");
}

// ---- robustness -----------------------------------------------------------------------------

// Parses `bytes`; true if it loaded, false if it threw mlp::Error; anything else fails.
bool loads(const std::string& bytes) {
  try {
    SafeTensors st = mlp::io::parse_safetensors(bytes, "fuzz");
    for (const std::string& name : st.names()) {
      const Tensor& t = st.at(name);
      EXPECT_EQ(t.data.size(), mlp::io::safetensors_element_count(t.shape) *
                                   mlp::io::safetensors_dtype_size(t.dtype));
    }
    return true;
  } catch (const mlp::Error&) {
    return false;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not an mlp::Error: " << e.what();
    return false;
  }
}

TEST(Safetensors, EveryTruncationIsAnError) {
  for (const std::string& bytes :
       {mlp_test::golden_text("safetensors_reference.safetensors"),
        mlp_test::golden_text("safetensors_legacy.safetensors"),
        mlp::io::serialize_safetensors(sample())}) {
    ASSERT_TRUE(loads(bytes));
    for (std::size_t length = 0; length < bytes.size(); ++length)
      EXPECT_FALSE(loads(bytes.substr(0, length))) << "length " << length;
  }
  // A few through the file reader too.
  const std::string bytes = mlp_test::golden_text("safetensors_reference.safetensors");
  const std::string path = temp_path("truncated.safetensors");
  for (std::size_t length : {std::size_t{0}, std::size_t{7}, std::size_t{8}, std::size_t{500},
                             bytes.size() - 1}) {
    spit(path, bytes.substr(0, length));
    EXPECT_THROW(mlp::io::read_safetensors(path), SafetensorsError) << "length " << length;
  }
}

TEST(Safetensors, CorruptedHeaderBytesLoadOrThrow) {
  std::mt19937 rng(20240611);
  int loaded = 0, rejected = 0;
  for (const std::string& original :
       {mlp_test::golden_text("safetensors_reference.safetensors"),
        mlp_test::golden_text("safetensors_legacy.safetensors")}) {
    std::uint64_t n = 0;
    std::memcpy(&n, original.data(), 8);
    std::uniform_int_distribution<std::size_t> where(0, 8 + n - 1);  // size field and header
    std::uniform_int_distribution<int> byte(0, 255), flips(1, 3);
    // Bytes that change the JSON's structure more often than random ones do.
    const std::string structural = "{}[]\":,0123456789- \\e.";
    std::uniform_int_distribution<std::size_t> pick(0, structural.size() - 1);
    for (int trial = 0; trial < 3000; ++trial) {
      std::string bytes = original;
      for (int k = flips(rng); k > 0; --k) {
        const std::size_t at = where(rng);
        bytes[at] = trial % 2 ? static_cast<char>(byte(rng)) : structural[pick(rng)];
      }
      (loads(bytes) ? loaded : rejected)++;
    }
  }
  EXPECT_GT(rejected, 0);
  EXPECT_GT(loaded, 0);  // e.g. a changed letter in a name or in metadata
}

}  // namespace
