// Data handed over in memory (mlp/data/memory.h) and Array views of a caller's memory: the view
// reads the caller's bytes without copying them, tables of columns behave as the same CSV would,
// targets come from numbers or labels.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "mlp/data/load.h"
#include "mlp/data/memory.h"
#include "mlp/core/error.h"
#include "mlp/data/preprocessor.h"
#include "temp_files.h"

namespace {

using mlp::data::Array;
using mlp::data::Column;
using mlp::data::DType;

TEST(ArrayView, ReadsTheCallersMemoryWithoutACopy) {
  std::vector<float> values = {1, 2, 3, 4, 5, 6};
  const Array a = Array::view(DType::f32, 2, 3, values.data());
  EXPECT_TRUE(a.is_view());
  EXPECT_EQ(a.bytes(), reinterpret_cast<const std::byte*>(values.data()));
  EXPECT_EQ(a.byte_size(), 24u);
  EXPECT_EQ(a.at(1, 2), 6.0);
  values[5] = 60;  // the view sees the caller's change: it holds no copy
  EXPECT_EQ(a.at(1, 2), 60.0);
  double row[3];
  a.copy_row(1, row);
  EXPECT_EQ(row[0], 4.0);
  EXPECT_EQ(a.values<float>().data(), values.data());
}

TEST(ArrayView, CopiesAreViewsOfTheSameMemory) {
  std::vector<double> values = {1, 2};
  const Array a = Array::view(DType::f64, 2, 1, values.data());
  Array b = a;
  EXPECT_TRUE(b.is_view());
  EXPECT_EQ(std::as_const(b).bytes(), a.bytes());
  const Array c = std::move(b);
  EXPECT_EQ(c.bytes(), reinterpret_cast<const std::byte*>(values.data()));
}

TEST(ArrayView, IsReadOnly) {
  std::vector<float> values = {1, 2};
  Array a = Array::view(DType::f32, 1, 2, values.data());
  EXPECT_THROW(a.bytes(), mlp::InvalidArgument);
  EXPECT_THROW(a.values<float>(), mlp::InvalidArgument);
  const Array& read = a;
  EXPECT_EQ(read.values<float>()[1], 2.0f);
  Array empty = Array::view(DType::f32, 0, 2, nullptr);  // no elements: no memory needed
  EXPECT_TRUE(empty.is_view());
  EXPECT_THROW(Array::view(DType::f32, 1, 2, nullptr), mlp::InvalidArgument);
}

TEST(ArrayView, AnOwningArrayIsNoView) {
  Array a(DType::u8, 2, 2);
  EXPECT_FALSE(a.is_view());
  a.bytes()[3] = std::byte{7};
  EXPECT_EQ(a.at(1, 1), 7.0);
  EXPECT_EQ(a.byte_size(), 4u);
}

TEST(MemoryFrame, AnArrayFrameIsEncodedAsItIsWithoutACopy) {
  std::vector<float> values = {1, 2, 3, 4};
  mlp::data::Frame f = mlp::data::array_frame(Array::view(DType::f32, 2, 2, values.data()), "X");
  EXPECT_FALSE(f.is_table);
  EXPECT_EQ(f.rows(), 2u);
  mlp::Preprocessor p = mlp::Preprocessor::fit<float>(f, mlp::ScaleKind::standard, mlp::MissingPolicy::impute);
  Array storage;
  mlp::PreprocessReport report;
  std::vector<std::size_t> kept;
  const Array& encoded = p.encode(f, storage, report, kept);
  EXPECT_EQ(encoded.bytes(), reinterpret_cast<const std::byte*>(values.data()));
}

TEST(MemoryFrame, ATableOfColumnsEncodesAsTheSameCsv) {
  // The same table as a CSV and as columns: numbers with a gap, text with a gap.
  const std::string csv = "x,color\n1,red\nNA,blue\n3,red\n8,\n";
  mlp::data::LoadOptions o;
  o.read_targets = false;
  mlp::data::Loaded file = mlp::data::load(mlp_test::write_temp("t.csv", csv), o);
  const double nan = std::nan("");
  mlp::data::Frame mem = mlp::data::table_frame(
      {Column{"x", true, {1, nan, 3, 8}, {}}, Column{"color", false, {}, {"red", "blue", "red", ""}}}, "frame");
  EXPECT_TRUE(mem.is_table);
  EXPECT_EQ(mem.names(), file.features.names());
  auto encode = [](const mlp::data::Frame& f) {
    mlp::Preprocessor p = mlp::Preprocessor::fit<double>(f, mlp::ScaleKind::none, mlp::MissingPolicy::impute);
    Array storage;
    mlp::PreprocessReport report;
    std::vector<std::size_t> kept;
    return p.encode(f, storage, report, kept).to_vector<double>();
  };
  // x (the gap: the mean of 1, 3, 8 = 4), blue?, red? (the gap: red, the most frequent)
  EXPECT_EQ(encode(mem), (std::vector<double>{1, 0, 1, 4, 1, 0, 3, 0, 1, 8, 0, 1}));
  EXPECT_EQ(encode(mem), encode(file.features));
}

TEST(MemoryFrame, CellsAreNamedByRowAndColumnInMessages) {
  const double inf = std::numeric_limits<double>::infinity();
  mlp::data::Frame f = mlp::data::table_frame({Column{"a", true, {1, 2}, {}}, Column{"b", true, {3, inf}, {}}}, "frame");
  try {
    mlp::Preprocessor::fit<double>(f, mlp::ScaleKind::none, mlp::MissingPolicy::impute);
    FAIL() << "an infinite feature was accepted";
  } catch (const mlp::data::DataError& e) {
    EXPECT_STREQ(e.what(), "frame:2:2: 'inf' is not a finite number");
  }
}

TEST(MemoryFrame, RejectsColumnsOfDifferentLengthsAndEmptyTables) {
  EXPECT_THROW(mlp::data::table_frame({Column{"a", true, {1, 2}, {}}, Column{"b", false, {}, {"x"}}}), mlp::ShapeError);
  EXPECT_THROW(mlp::data::table_frame({}), mlp::data::DataError);
  EXPECT_THROW(mlp::data::table_frame({Column{"a", true, {}, {}}}), mlp::data::DataError);
}

TEST(MemoryTargets, NumbersByRowsAndColumns) {
  mlp::data::Targets y = mlp::data::number_targets({1, 2, 3, 4, 5, 6}, 2, "y");
  EXPECT_EQ(y.rows(), 3u);
  EXPECT_EQ(y.cols, 2u);
  EXPECT_EQ(y.names, (std::vector<std::string>{"y0", "y1"}));
  EXPECT_FALSE(y.is_text());
  EXPECT_EQ(y.places[2], "y: row 3");
  EXPECT_THROW(mlp::data::number_targets({1, 2, 3}, 2, "y"), mlp::ShapeError);
}

TEST(MemoryTargets, ANaNIsAMissingLabelAndInfinityIsKeptForLater) {
  try {
    mlp::data::number_targets({1, std::nan("")}, 1, "y");
    FAIL() << "a NaN label was accepted";
  } catch (const mlp::data::DataError& e) {
    EXPECT_STREQ(e.what(), "y: row 2: missing label (NaN)");
  }
  mlp::data::Targets y = mlp::data::number_targets({1, std::numeric_limits<double>::infinity()}, 1, "y");
  EXPECT_EQ(y.not_finite, "y: row 2: inf is not a finite number");
}

TEST(MemoryTargets, TextLabels) {
  mlp::data::Targets y = mlp::data::text_targets({"cat", "dog", "cat"}, "y");
  EXPECT_TRUE(y.is_text());
  EXPECT_EQ(y.rows(), 3u);
  EXPECT_EQ(y.not_numeric, "y: row 1: 'cat' is not a number");
  EXPECT_THROW(mlp::data::text_targets({"cat", ""}, "y"), mlp::data::DataError);
}

}  // namespace
