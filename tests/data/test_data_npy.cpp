// mlp::data::read_npy / write_npy against files numpy wrote (tests/fixtures/data_npy, from
// scripts/gen_npy_fixtures.py), hand-made headers and broken files; and the Array accessors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "mlp/data/memory.h"
#include "data/npy.h"
#include "mlp/pipeline/pipeline.h"
#include "core/format.h"
#include "golden.h"
#include "temp_files.h"

namespace {

using mlp::data::Array;
using mlp::data::DataError;
using mlp::data::DType;

const std::string kFixtures = mlp_test::golden_path("data_npy/");

using mlp_test::slurp;
using mlp_test::temp_path;


std::string write(const std::string& name, const std::string& content) {
  std::string path = temp_path(name);
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

// A version 1.0 .npy file with `header` as its dict (padded as numpy pads) and `data` after it.
std::string npy_bytes(const std::string& header, const std::string& data) {
  std::string h = header;
  while ((10 + h.size() + 1) % 64 != 0) h += ' ';
  h += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(h.size() & 0xFF);
  out += static_cast<char>(h.size() >> 8);
  return out + h + data;
}

template <typename T>
std::string raw(const std::vector<T>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

// The message read_npy throws for a file holding `content`, with the path cut off.
std::string error_of(const std::string& content) {
  std::string path = write("err.npy", content);
  try {
    mlp::data::read_npy(path);
  } catch (const DataError& e) {
    std::string m = e.what();
    return m.rfind(path, 0) == 0 ? m.substr(path.size()) : m;
  }
  return "";
}

// Element i of a as text, exactly: integers as integers, floats as Python's repr of the double they
// convert to (as the manifest writes them).
std::string element_text(const Array& a, std::size_t i) {
  switch (a.dtype()) {
    case DType::u8: return std::to_string(a.values<std::uint8_t>()[i]);
    case DType::i8: return std::to_string(a.values<std::int8_t>()[i]);
    case DType::u16: return std::to_string(a.values<std::uint16_t>()[i]);
    case DType::i16: return std::to_string(a.values<std::int16_t>()[i]);
    case DType::u32: return std::to_string(a.values<std::uint32_t>()[i]);
    case DType::i32: return std::to_string(a.values<std::int32_t>()[i]);
    case DType::u64: return std::to_string(a.values<std::uint64_t>()[i]);
    case DType::i64: return std::to_string(a.values<std::int64_t>()[i]);
    case DType::boolean: return std::to_string(a.values<bool>()[i] ? 1 : 0);
    default: return mlp::format_repr(a.to_vector<double>()[i]);
  }
}

TEST(DataNpy, ReadsWhatNumpyWrote) {
  // "FILE DTYPE ROWS COLS VALUE...", the values row-major.
  int files = 0;
  for (const mlp_test::GoldenLine& line : mlp_test::read_golden_lines("data_npy/manifest.txt")) {
    const std::string& name = line.key;
    const std::size_t rows = line.count(1), cols = line.count(2);
    SCOPED_TRACE(name);
    const Array a = mlp::data::read_npy(kFixtures + name);
    EXPECT_EQ(mlp::data::dtype_name(a.dtype()), line.word(0));
    ASSERT_EQ(a.rows(), rows);
    ASSERT_EQ(a.cols(), cols);
    for (std::size_t i = 0; i < rows * cols; ++i) EXPECT_EQ(element_text(a, i), line.word(3 + i)) << "element " << i;
    ++files;
  }
  EXPECT_EQ(files, 19);
}

TEST(DataNpy, FortranOrderEqualsCOrder) {
  const Array c = mlp::data::read_npy(kFixtures + "f8_c.npy");
  const Array f = mlp::data::read_npy(kFixtures + "f8_fortran.npy");
  ASSERT_EQ(c.describe(), "(3, 4) float64");
  ASSERT_EQ(f.describe(), c.describe());
  EXPECT_EQ(std::memcmp(c.bytes(), f.bytes(), c.byte_size()), 0);
  EXPECT_EQ(f.at(0, 1), 0.125);  // (0, 1) = 1 / 8, not (1, 0) = 4 / 8
  EXPECT_EQ(f.at(2, 0), 1.0);
}

TEST(DataNpy, OneDimensionalIsOneColumn) {
  const Array a = mlp::data::read_npy(kFixtures + "f4_1d.npy");
  EXPECT_EQ(a.describe(), "(4, 1) float32");
  EXPECT_EQ(a.to_vector<double>(), (std::vector<double>{0.5, -1.0, 2.0, 7.0}));
}

TEST(DataNpy, WriterMatchesNumpyByteForByte) {
  const std::vector<double> grid{-1.5, 0.0, 2.25, 3.0, -4.125, 1e-3};
  std::string path = temp_path("w8.npy");
  mlp::data::write_npy(path, grid.data(), 2, 3);
  EXPECT_EQ(slurp(path), slurp(kFixtures + "f8.npy"));

  std::vector<float> grid32(grid.begin(), grid.end());
  mlp::data::write_npy(path, grid32.data(), 2, 3);
  EXPECT_EQ(slurp(path), slurp(kFixtures + "f4.npy"));

  Array u1 = mlp::data::read_npy(kFixtures + "u1.npy");
  mlp::data::write_npy(path, u1);
  EXPECT_EQ(slurp(path), slurp(kFixtures + "u1.npy"));
}

TEST(DataNpy, RoundTripEveryDType) {
  for (DType t : {DType::u8, DType::i8, DType::u16, DType::i16, DType::u32, DType::i32, DType::u64,
                  DType::i64, DType::f32, DType::f64, DType::boolean}) {
    SCOPED_TRACE(mlp::data::dtype_name(t));
    Array a(t, 5, 3);
    for (std::size_t i = 0; i < a.byte_size(); ++i) {
      a.bytes()[i] = static_cast<std::byte>(t == DType::boolean ? i % 2 : (i * 37 + 11) % 251);
    }
    std::string path = temp_path("round.npy");
    mlp::data::write_npy(path, a);
    const Array b = mlp::data::read_npy(path);
    EXPECT_EQ(b.dtype(), t);
    EXPECT_EQ(b.describe(), a.describe());
    ASSERT_EQ(b.byte_size(), a.byte_size());
    EXPECT_EQ(std::memcmp(a.bytes(), b.bytes(), a.byte_size()), 0);
  }
}

TEST(DataNpy, WriterReplacesAnExistingFile) {
  std::string path = write("replace.npy", std::string(5000, 'x'));
  const std::vector<double> one{42};
  mlp::data::write_npy(path, one.data(), 1, 1);
  EXPECT_EQ(mlp::data::read_npy(path).to_vector<double>(), one);
  try {
    mlp::data::write_npy(::testing::TempDir() + "no_such_dir/x.npy", one.data(), 1, 1);
    FAIL() << "no throw";
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()),
              ::testing::TempDir() + "no_such_dir/x.npy: cannot write: No such file or directory");
  }
}

// A write that fails after its temporary file was made (here the rename: the path is a folder)
// leaves what was at the path as it was, and no temporary file beside it.
TEST(DataNpy, FailedWriteLeavesNoTemporaryFile) {
  const std::filesystem::path dir = temp_path("npy_dir");
  ASSERT_TRUE(std::filesystem::create_directory(dir));
  const std::vector<double> one{42};
  try {
    mlp::data::write_npy(dir.string(), one.data(), 1, 1);
    FAIL() << "no throw";
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()), dir.string() + ": cannot replace: Is a directory");
  }
  EXPECT_TRUE(std::filesystem::is_directory(dir));
  EXPECT_TRUE(std::filesystem::is_empty(dir));
  for (const auto& entry : std::filesystem::directory_iterator(dir.parent_path()))
    EXPECT_NE(entry.path().filename().string().rfind(dir.filename().string() + ".tmp.", 0), 0u) << entry.path();
}

TEST(DataNpy, HeaderSpellings) {
  const std::vector<float> v{1, 2, 3, 4, 5, 6};
  for (std::string header : {
           "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
           "{'descr':'<f4','fortran_order':False,'shape':(2,3)}",
           "{ \"shape\" : ( 2 , 3 , ) , \"fortran_order\" : False , \"descr\" : \"<f4\" }",
           "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), 'extra': None}",
           "{'descr': '=f4',\n 'fortran_order': False,\t'shape': [2, 3]}",
       }) {
    SCOPED_TRACE(header);
    const Array a = mlp::data::read_npy(write("h.npy", npy_bytes(header, raw(v))));
    EXPECT_EQ(a.describe(), "(2, 3) float32");
    EXPECT_EQ(a.to_vector<float>(), v);
  }
  const Array one = mlp::data::read_npy(write(
      "h1.npy", npy_bytes("{'descr': '<f4', 'fortran_order': True, 'shape': (6,), }", raw(v))));
  EXPECT_EQ(one.describe(), "(6, 1) float32");
  EXPECT_EQ(one.to_vector<float>(), v);
  const Array empty = mlp::data::read_npy(write(
      "h0.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 5), }", "")));
  EXPECT_EQ(empty.describe(), "(0, 5) float64");
}

TEST(DataNpy, FortranOrderOfEveryWidth) {
  // Column-major bytes of [[1, 2, 3], [4, 5, 6]] are 1 4 2 5 3 6.
  const std::vector<std::int16_t> i2{1, 4, 2, 5, 3, 6};
  const Array a = mlp::data::read_npy(write(
      "fi2.npy", npy_bytes("{'descr': '<i2', 'fortran_order': True, 'shape': (2, 3), }", raw(i2))));
  EXPECT_EQ(a.to_vector<double>(), (std::vector<double>{1, 2, 3, 4, 5, 6}));
  const std::vector<std::int64_t> i8{1, 4, 2, 5, 3, 6};
  const Array b = mlp::data::read_npy(write(
      "fi8.npy", npy_bytes("{'descr': '<i8', 'fortran_order': True, 'shape': (2, 3), }", raw(i8))));
  EXPECT_EQ(b.to_vector<float>(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  Array u1 = mlp::data::read_npy(kFixtures + "u1_fortran.npy");
  EXPECT_EQ(u1.to_vector<double>(), (std::vector<double>{0, 1, 2, 3, 4, 5}));
}

TEST(DataNpy, BadMagic) {
  EXPECT_EQ(error_of("PK\x03\x04 not numpy at all"), ": not an NPY file");
  EXPECT_EQ(error_of(""), ": not an NPY file");
  EXPECT_EQ(error_of("\x93NUMP"), ": not an NPY file");
  EXPECT_EQ(error_of(std::string("\x93NUMPY\x04\x00", 8) + "xxxx"),
            ": unsupported NPY format version 4.0");
}

TEST(DataNpy, TruncatedHeader) {
  std::string full = npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }",
                               raw(std::vector<double>{1}));
  EXPECT_EQ(error_of(full.substr(0, 9)),
            ": truncated header (the header needs at least 10 bytes, the file has 9)");
  EXPECT_EQ(error_of(full.substr(0, 40)),
            ": truncated header (the header needs 128 bytes, the file has 40)");
}

TEST(DataNpy, MalformedHeader) {
  EXPECT_EQ(error_of(npy_bytes("{'descr': '<f8', 'fortran_order': False}", "")),
            ": malformed header: no 'shape'");
  EXPECT_EQ(error_of(npy_bytes("{'descr': '<f8', 'fortran_order': 0, 'shape': (1,)}", "")),
            ": malformed header: 'fortran_order' is not True or False");
  EXPECT_EQ(error_of(npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1,)", "")),
            ": malformed header: expected ',' at the end");
  EXPECT_EQ(error_of(npy_bytes("['descr']", "")), ": malformed header: expected '{' at '['");
  EXPECT_EQ(error_of(npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 'a')}", "")),
            ": malformed header: 'shape' holds a value that is not an integer");
  EXPECT_EQ(error_of(npy_bytes("{'descr': <f8}", "")), ": malformed header: unexpected '<'");
}

TEST(DataNpy, UnsupportedDtype) {
  const std::string supported =
      "; supported: float32, float64, int8, uint8, int16, uint16, int32, uint32, int64, uint64, "
      "bool";
  EXPECT_EQ(error_of(npy_bytes("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }",
                               std::string(16, '\0'))),
            ": unsupported dtype '<c16'" + supported);
  EXPECT_EQ(error_of(npy_bytes("{'descr': '<f2', 'fortran_order': False, 'shape': (1,), }",
                               std::string(2, '\0'))),
            ": unsupported dtype '<f2'" + supported);
  EXPECT_EQ(error_of(npy_bytes("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", "")),
            ": unsupported dtype '|O'" + supported);
  EXPECT_EQ(
      error_of(npy_bytes("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", "")),
      ": unsupported dtype: a structured array (record fields)");
}

TEST(DataNpy, Dimensions) {
  EXPECT_EQ(error_of(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }",
                               std::string(96, '\0'))),
            ": shape (2, 3, 4) has 3 dimensions; only 1-D and 2-D arrays are supported");
  EXPECT_EQ(error_of(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (), }",
                               std::string(4, '\0'))),
            ": shape () has 0 dimensions; only 1-D and 2-D arrays are supported");
}

TEST(DataNpy, SizeMismatch) {
  EXPECT_EQ(error_of(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (100, 784), }",
                               std::string(1000, '\0'))),
            ": header says 100 x 784 float32 (313600 bytes) but the file holds 1000 bytes of data");
  EXPECT_EQ(
      error_of(npy_bytes("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", "abcd")),
      ": header says 3 uint8 (3 bytes) but the file holds 4 bytes of data");
  EXPECT_EQ(error_of(npy_bytes("{'descr': '<f8', 'fortran_order': False, "
                               "'shape': (4294967296, 4294967296), }",
                               "")),
            ": header says 4294967296 x 4294967296 float64 (too many bytes) but the file holds 0 "
            "bytes of data");
}

TEST(DataNpy, TruncatedFile) {
  std::string full = slurp(kFixtures + "f8_c.npy");  // 128 header bytes + 96 data bytes
  ASSERT_EQ(full.size(), 224u);
  EXPECT_EQ(error_of(full.substr(0, 200)),
            ": header says 3 x 4 float64 (96 bytes) but the file holds 72 bytes of data");
  EXPECT_EQ(error_of(full.substr(0, 128)),
            ": header says 3 x 4 float64 (96 bytes) but the file holds 0 bytes of data");
}

TEST(DataNpy, MissingFile) {
  std::string path = temp_path("missing.npy");
  std::remove(path.c_str());
  try {
    mlp::data::read_npy(path);
    FAIL() << "no throw";
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()), path + ": cannot open: No such file or directory");
  }
}

TEST(DataArray, RowsConvertToFloatAndDouble) {
  const Array a = mlp::data::read_npy(kFixtures + "i2.npy");  // [[-32768, 0, 32767], [1, 2, 3]]
  std::vector<float> f(3);
  a.copy_row(0, f.data());
  EXPECT_EQ(f, (std::vector<float>{-32768, 0, 32767}));
  std::vector<double> d(6);
  const std::size_t order[] = {1, 0};
  a.copy_rows(order, 2, d.data());
  EXPECT_EQ(d, (std::vector<double>{1, 2, 3, -32768, 0, 32767}));
  EXPECT_EQ(a.at(1, 2), 3.0);
  EXPECT_THROW(a.at(2, 0), mlp::ShapeError);
  EXPECT_THROW(a.copy_row(2, d.data()), mlp::ShapeError);

  const Array b = mlp::data::read_npy(kFixtures + "b1.npy");
  EXPECT_EQ(b.to_vector<float>(), (std::vector<float>{1, 0, 1, 0, 0, 1}));
}

TEST(DataArray, TypedValues) {
  const Array a = mlp::data::read_npy(kFixtures + "u1.npy");
  EXPECT_EQ(a.dtype(), DType::u8);
  auto v = a.values<std::uint8_t>();
  EXPECT_EQ(std::vector<int>(v.begin(), v.end()), (std::vector<int>{0, 0, 255, 1, 2, 3}));
  try {
    a.values<float>();
    FAIL() << "no throw";
  } catch (const mlp::InvalidArgument& e) {
    EXPECT_EQ(std::string(e.what()), "Array holds uint8, not float32");
  }
  EXPECT_THROW(Array(DType::f32, 2, 2, std::vector<std::byte>(15)), mlp::ShapeError);
  static_assert(mlp::data::dtype_of<std::int16_t>() == DType::i16);
  static_assert(mlp::data::dtype_of<double>() == DType::f64);
  static_assert(mlp::data::dtype_of<bool>() == DType::boolean);
}

}  // namespace

// A mapped .npy file is viewed, not copied, keeps its mapping alive, and trains exactly as the
// same bytes copied into memory (the reader before mapping).
TEST(DataNpyMapped, TrainsAsTheCopiedArray) {
  constexpr std::size_t rows = 120, cols = 3;
  std::vector<float> x(rows * cols);
  std::vector<double> y(rows);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c) x[r * cols + c] = static_cast<float>((r * 7 + c * 13) % 17) / 4.0f - 2.0f;
    y[r] = x[r * cols] + x[r * cols + 1] > 0 ? 1 : 0;
  }
  const std::string path = temp_path("mapped.npy");
  mlp::data::write_npy(path, x.data(), rows, cols);
  const Array mapped = mlp::data::read_npy(path);  // its mapping's only owner
  const Array copied = mlp::data::parse_npy(slurp(path), path);
  ASSERT_TRUE(mapped.is_view());
  ASSERT_FALSE(copied.is_view());
  ASSERT_EQ(std::memcmp(mapped.bytes(), x.data(), x.size() * sizeof(float)), 0);

  mlp::PipelineOptions o;
  o.epochs = 5;
  o.hidden = std::vector<std::size_t>{8};
  const auto fit = [&](const Array& a) {
    return mlp::Pipeline::fit(mlp::data::array_frame(a), mlp::data::number_targets(y, 1), o);
  };
  const mlp::Pipeline from_map = fit(mapped), from_copy = fit(copied);
  const mlp::Predictions p = from_map.predict(mlp::data::array_frame(mapped));
  const mlp::Predictions q = from_copy.predict(mlp::data::array_frame(copied));
  EXPECT_EQ(p.values, q.values);
  const auto weights = [](const mlp::Pipeline& m) {
    const mlp::Matrix<double> w = m.weight(0);
    return std::vector<double>(w.data(), w.data() + w.rows() * w.cols());
  };
  EXPECT_EQ(weights(from_map), weights(from_copy));
}
