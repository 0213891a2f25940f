// The all-numeric CSV reader (data/csv_numbers.h) against the general one (parse_csv): the same
// values, column statistics and row lines for every form of number, missing cells, line ends and
// quoting, whatever the split into pieces; and data::load using it.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "data/csv_numbers.h"
#include "mlp/data/load.h"
#include "core/file.h"
#include "temp_files.h"

namespace {

using mlp::data::CellRef;
using mlp::data::CsvTable;
using mlp::data::DType;
using mlp_test::write_temp;

// Equal as parse_csv and read_csv_numbers keep them: both NaN, or the same value and sign.
bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || (a == b && std::signbit(a) == std::signbit(b)); }

void expect_same_cell(const CellRef& a, const CellRef& b, const std::string& what) {
  EXPECT_EQ(a.line, b.line) << what;
  EXPECT_EQ(a.column, b.column) << what;
  EXPECT_EQ(a.text, b.text) << what;
}

// Reads `text` both ways (features: every column but the last; target: the last) with pieces of
// `piece_bytes`; returns false when the numeric reader declined (parse_csv may then throw, so it is
// not called). Expects the same everything.
bool read_alike(const std::string& text, std::size_t piece_bytes, const mlp::data::CsvOptions& options = {}) {
  const std::string path = write_temp("numbers.csv", text);
  const auto file = mlp::io::map_file(path);
  const mlp::data::CsvHead head = mlp::data::parse_csv_head(file->view(), path, options);
  std::vector<std::size_t> features;
  for (std::size_t c = 0; c + 1 < head.table.cols(); ++c) features.push_back(c);
  const std::vector<std::size_t> targets{head.table.cols() - 1};
  const auto n64 = mlp::data::read_csv_numbers(*file, head, features, targets, DType::f64, piece_bytes);
  const auto n32 = mlp::data::read_csv_numbers(*file, head, features, targets, DType::f32, piece_bytes);
  EXPECT_EQ(n64.has_value(), n32.has_value());
  if (!n64 || !n32) return false;
  const CsvTable general = mlp::data::parse_csv(file->view(), path, options);
  const std::size_t rows = general.rows;
  EXPECT_EQ(n64->table.rows, rows);
  EXPECT_EQ(n64->features.rows(), rows);
  EXPECT_EQ(n64->features.cols(), features.size());
  EXPECT_EQ(n32->features.dtype(), DType::f32);
  if (n64->table.rows != rows) return true;
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t k = 0; k < features.size(); ++k) {
      const double want = general.value(r, features[k]);
      EXPECT_TRUE(same(n64->features.at(r, k), want)) << "row " << r << " col " << k << ": " << want;
      EXPECT_TRUE(same(n32->features.at(r, k), static_cast<float>(want))) << "row " << r << " col " << k;
    }
    EXPECT_TRUE(same(n64->targets[r], general.value(r, targets[0]))) << "row " << r;
    const std::size_t line = n64->table.row_lines.empty() ? n64->first_line + r : n64->table.row_lines[r];
    EXPECT_EQ(line, general.row_lines[r]) << "row " << r;
  }
  for (std::size_t c = 0; c < general.cols(); ++c) {
    const auto& a = n64->table.columns[c];
    const auto& b = general.columns[c];
    const std::string what = "column " + std::to_string(c);
    EXPECT_EQ(a.name, b.name) << what;
    EXPECT_EQ(a.missing, b.missing) << what;
    EXPECT_EQ(a.counted, b.counted) << what;
    EXPECT_TRUE(same(a.sum, b.sum)) << what << ": " << a.sum << " vs " << b.sum;
    expect_same_cell(a.first_missing, b.first_missing, what + " first missing");
    expect_same_cell(a.first_non_finite, b.first_non_finite, what + " first non-finite");
  }
  return true;
}

// Every split of `text` into pieces, from one piece per byte (up to 64) to one in all.
void expect_alike_split_anywhere(const std::string& text, bool numeric) {
  for (std::size_t piece = 1; piece <= text.size() + 1; ++piece) {
    SCOPED_TRACE("pieces of " + std::to_string(piece) + " bytes");
    EXPECT_EQ(read_alike(text, piece), numeric);
  }
}

TEST(DataCsvNumbers, NumbersAsFloatReadsThemAndMissingCells) {
  // Exponents, signs, points, inf and beyond double's range, true/false, NaN spellings.
  EXPECT_FALSE(read_alike("a,b,y\n1,0x10,0\n", 1 << 20));  // not a number for float(): text
  EXPECT_FALSE(read_alike("a,b,y\n1,1_000,0\n", 1 << 20));
  EXPECT_TRUE(read_alike("a,b,c,y\n1e3,-2.5E-2,+3,1\n.5,5.,-0,0\ninf,-Infinity,1e999,1\n"
                         "1e-999,-1e-400,TRUE,0\nfalse,-nan,1,1\n",
                         1 << 20));
  EXPECT_TRUE(read_alike("a,b,y\n1,,0\nNA,2,1\n n/a ,?,0\nnull, NaN ,1\n4,5,1\n", 1 << 20));
  EXPECT_TRUE(read_alike("a,b,y\n  7 ,\t8\t,1\n9,10,0\n", 1 << 20));
}

TEST(DataCsvNumbers, LineEndsBlankLinesQuotesAndByteOrderMark) {
  EXPECT_TRUE(read_alike("a,b,y\r\n1,2,0\r\n3,4,1\r\n", 1 << 20));
  EXPECT_TRUE(read_alike("a,b,y\r1,2,0\r3,4,1", 1 << 20));
  EXPECT_TRUE(read_alike("a,b,y\n1,2,0\n\n   \n3,4,1\n\n", 1 << 20));  // blank lines: lines kept per row
  EXPECT_TRUE(read_alike("\xEF\xBB\xBF" "a,b,y\n1,2,0\n3,4,1", 1 << 20));
  EXPECT_TRUE(read_alike("a,b,y\n\"1\", \"2\" ,0\n\" 3 \",\"-4e1\",\"1\"\n", 1 << 20));
  mlp::data::CsvOptions tab;
  tab.delimiter = '\t';
  EXPECT_TRUE(read_alike("a\tb\ty\n1\t2\t0\n3\t4\t1\n", 1 << 20, tab));
  mlp::data::CsvOptions no_header;
  no_header.header = false;
  EXPECT_TRUE(read_alike("1,2,0\n3,4,1\n", 1 << 20, no_header));
}

TEST(DataCsvNumbers, DeclinesWhatOnlyTheGeneralReaderReads) {
  EXPECT_FALSE(read_alike("a,y\nx,1\n", 1 << 20));                   // text
  EXPECT_FALSE(read_alike("a,b,y\n\"1\n\",2,0\n", 1 << 20));          // a quoted line break
  EXPECT_FALSE(read_alike("a,b,y\n\"1\"\"\",2,0\n3,4,1\n", 1 << 20));  // a doubled quote
  EXPECT_FALSE(read_alike("a,b,y\n1,2\n", 1 << 20));                  // too few fields
  EXPECT_FALSE(read_alike("a,b,y\n1,2,3,4\n", 1 << 20));              // too many
  EXPECT_FALSE(read_alike("a,b,y\n\"1\" x,2,3\n", 1 << 20));          // text after a closing quote
  EXPECT_FALSE(read_alike("a,b,y\n", 1 << 20));                       // no rows: parse_csv says so
}

TEST(DataCsvNumbers, EverySplitIntoPiecesReadsAlike) {
  // Sums of halves and quarters are exact, so any grouping of the pieces adds up the same.
  expect_alike_split_anywhere("a,b,y\n0.5,\"1.25\",0\r\n\n2,,1\n\"-3\",4e0,0\n  \n5,6.75,1\n7,8,0", true);
  // A quoted line break near every possible split point: declined whatever the split.
  expect_alike_split_anywhere("a,b,y\n1,2,0\n3,\"4\n\",1\n5,6,0\n7,8,1\n", false);
  expect_alike_split_anywhere("a,b,y\n1,2,0\n3,\"\n5,6,0\n7\",8,1\n9,10,0\n", false);
}

TEST(DataCsvNumbers, LoadReadsAnAllNumericCsvIntoItsFeatureMatrix) {
  const std::string path = write_temp("load.csv", "id,a,b,y\nA,1,2,0\nB,3,,1\n\nC,5,6,1\n");
  mlp::data::LoadOptions options;
  options.ignore = {"id"};  // a text column that is ignored is not read
  const mlp::data::Loaded in = mlp::data::load(path, options);
  ASSERT_TRUE(in.features.numbers_in_array());
  EXPECT_EQ(in.features.array.dtype(), DType::f32);
  EXPECT_EQ(in.features.array.describe(), "(3, 2) float32");
  EXPECT_EQ(in.features.names(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(in.features.array.at(2, 0), 5.0);
  EXPECT_TRUE(std::isnan(in.features.array.at(1, 1)));
  EXPECT_EQ(in.features.table.columns[2].missing, 1u);
  EXPECT_EQ(in.targets.values, (std::vector<double>{0, 1, 1}));
  EXPECT_EQ(in.targets.places[2], path + ":5:4");  // after the blank line 4

  // Predicting (no targets read) keeps the whole table, every column as written.
  options.read_targets = false;
  options.ignore.clear();
  const mlp::data::Loaded all = mlp::data::load(path, options);
  EXPECT_FALSE(all.features.numbers_in_array());
  EXPECT_EQ(all.features.table.columns[0].text[2], "C");

  // A text feature: the general reader, as before.
  const std::string text = write_temp("text.csv", "a,b,y\n1,x,0\n2,y,1\n");
  const mlp::data::Loaded t = mlp::data::load(text, {});
  EXPECT_FALSE(t.features.numbers_in_array());
  EXPECT_FALSE(t.features.table.columns[1].numeric);

  // Errors are the general reader's.
  const std::string bad = write_temp("bad.csv", "a,b,y\n1,2,0\n3,4\n");
  try {
    mlp::data::load(bad, {});
    FAIL() << "no throw";
  } catch (const mlp::data::DataError& e) {
    EXPECT_EQ(std::string(e.what()), bad + ":3: 2 fields, expected 3");
  }
  const std::string missing_label = write_temp("nolabel.csv", "a,y\n1,0\n2,\n");
  try {
    mlp::data::load(missing_label, {});
    FAIL() << "no throw";
  } catch (const mlp::data::DataError& e) {
    EXPECT_EQ(std::string(e.what()), missing_label + ":3:2: missing value (a label must be given)");
  }
}

}  // namespace
