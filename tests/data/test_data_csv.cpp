// mlp::data::read_csv: RFC 4180 parsing, numeric vs text columns, the cells errors point at,
// column lookup, and every error message. Each test writes its own file under TempDir().
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "mlp/data/csv.h"
#include "temp_files.h"

namespace {

using mlp::data::CellRef;
using mlp::data::CsvOptions;
using mlp::data::CsvTable;
using mlp::data::DataError;

using mlp_test::slurp;
using mlp_test::temp_path;

std::string write(const std::string& name, const std::string& content) {
  std::string path = temp_path(name);
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

CsvTable read(const std::string& content, const CsvOptions& options = {}) {
  return mlp::data::read_csv(write("t.csv", content), options);
}

// The message read_csv throws for `content` (the file is named p.csv), or "" if it does not.
std::string error_of(const std::string& content, const CsvOptions& options = {}) {
  try {
    mlp::data::parse_csv(content, "p.csv", options);
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

TEST(DataCsv, NumericColumns) {
  CsvTable t = read("a,b,c\n1,2,3\n4.5,-5,6e2\n");
  ASSERT_EQ(t.rows, 2u);
  ASSERT_EQ(t.cols(), 3u);
  EXPECT_EQ(t.names(), (std::vector<std::string>{"a", "b", "c"}));
  for (const auto& c : t.columns) {
    EXPECT_TRUE(c.numeric);
    EXPECT_TRUE(c.all_finite());
    EXPECT_TRUE(c.text.empty());
  }
  EXPECT_EQ(t.values, (std::vector<double>{1, 2, 3, 4.5, -5, 600}));
  EXPECT_EQ(t.value(1, 2), 600.0);
}

TEST(DataCsv, TextColumnKeepsCellsWithoutSurroundingSpaces) {
  CsvTable t = read("x,label\n1,cat\n2, dog \n3,\"bird, small\"\n");
  ASSERT_EQ(t.rows, 3u);
  EXPECT_TRUE(t.columns[0].numeric);
  const auto& label = t.columns[1];
  EXPECT_FALSE(label.numeric);
  EXPECT_FALSE(label.all_finite());
  EXPECT_EQ(label.text, (std::vector<std::string>{"cat", "dog", "bird, small"}));  // trimmed as headers are
  EXPECT_EQ(label.first_non_numeric.line, 2u);
  EXPECT_EQ(label.first_non_numeric.column, 2u);
  EXPECT_EQ(label.first_non_numeric.text, "cat");
  EXPECT_TRUE(std::isnan(t.value(0, 1)));
  EXPECT_EQ(t.value(2, 0), 3.0);
}

TEST(DataCsv, ColumnTurningTextLateKeepsEveryCell) {
  // Column c turns text at its quoted two-line cell (lines 3-4), column b at line 6; the earlier
  // cells of both must come back exactly as written.
  std::string text =
      "a,b,c\n"
      "1, 1.50 ,\"7\"\n"
      "2,+3,\"x\ny\"\n"
      "3,.5,oops\n"
      "4,abc,9\n";
  CsvTable t = read(text);
  ASSERT_EQ(t.rows, 4u);
  EXPECT_TRUE(t.columns[0].numeric);
  EXPECT_EQ(t.columns[1].text, (std::vector<std::string>{"1.50", "+3", ".5", "abc"}));
  EXPECT_EQ(t.columns[2].text, (std::vector<std::string>{"7", "x\ny", "oops", "9"}));
  // A multi-line cell is placed at the line its field starts on.
  EXPECT_EQ(t.columns[2].first_non_numeric.line, 3u);
  EXPECT_EQ(t.columns[2].first_non_numeric.text, "x\ny");
  EXPECT_EQ(t.columns[1].first_non_numeric.line, 6u);  // lines 1,2,3-4 (quoted newline),5,6
  EXPECT_EQ(t.columns[1].first_non_numeric.column, 2u);
  for (std::size_t r = 0; r < 4; ++r) {
    EXPECT_TRUE(std::isnan(t.value(r, 1))) << r;
    EXPECT_TRUE(std::isnan(t.value(r, 2))) << r;
    EXPECT_EQ(t.value(r, 0), double(r + 1));
  }
}

TEST(DataCsv, Quoting) {
  CsvTable t = read(
      "\"name, full\",\"say \"\"hi\"\"\",n\n"
      "\"Smith, J\",\"he said \"\"no\"\"\",1\n"
      "\"two\nlines\",\"\",2\n"
      "plain,  \"spaced\"  ,3\n");
  EXPECT_EQ(t.names(), (std::vector<std::string>{"name, full", "say \"hi\"", "n"}));
  ASSERT_EQ(t.rows, 3u);
  EXPECT_EQ(t.columns[0].text, (std::vector<std::string>{"Smith, J", "two\nlines", "plain"}));
  EXPECT_EQ(t.columns[1].text, (std::vector<std::string>{"he said \"no\"", "", "spaced"}));
  EXPECT_EQ(t.values[2], 1.0);
  EXPECT_EQ(t.values[8], 3.0);
}

TEST(DataCsv, QuotedNumbersAreNumbers) {
  CsvTable t = read("a,b\n\"1.5\",\" 2 \"\n");
  EXPECT_TRUE(t.columns[0].numeric);
  EXPECT_TRUE(t.columns[1].numeric);
  EXPECT_EQ(t.values, (std::vector<double>{1.5, 2}));
}

TEST(DataCsv, QuoteInsideUnquotedFieldIsKept) {
  CsvTable t = read("a\n5\"6\n");
  EXPECT_EQ(t.columns[0].text, (std::vector<std::string>{"5\"6"}));
}

TEST(DataCsv, LineNumbersCountPhysicalLinesInsideQuotes) {
  // Record 2 spans lines 2-4; the ragged record starts on line 5.
  EXPECT_EQ(error_of("a,b\n\"x\n\ny\",1\n1\n"), "p.csv:5: 1 field, expected 2");
  EXPECT_EQ(error_of("a,b\r\n\"x\r\ny\",1\r\n1,2,3\r\n"), "p.csv:4: 3 fields, expected 2");
  CsvTable t = read("a,b\n\"x\ny\",1\n2,zz\n");
  EXPECT_EQ(t.columns[1].first_non_numeric.line, 4u);
  EXPECT_EQ(mlp::data::not_a_number_message(t.path, t.columns[1].first_non_numeric),
            t.path + ":4:2: 'zz' is not a number");
}

TEST(DataCsv, LineEnds) {
  std::vector<double> want{1, 2, 3, 4};
  EXPECT_EQ(read("a,b\r\n1,2\r\n3,4\r\n").values, want);
  EXPECT_EQ(read("a,b\r1,2\r3,4\r").values, want);
  EXPECT_EQ(read("a,b\n1,2\n3,4").values, want);      // no final newline
  EXPECT_EQ(read("a,b\r\n1,2\r\n3,4").values, want);  // no final CRLF
  CsvTable t = read("a,b\r\n1,x\r\n3,y\r\n");
  EXPECT_EQ(t.columns[1].text, (std::vector<std::string>{"x", "y"}));  // no stray \r
  EXPECT_EQ(t.columns[1].first_non_numeric.line, 2u);
}

TEST(DataCsv, ByteOrderMark) {
  CsvTable t = read("\xEF\xBB\xBFid,v\n1,2\n");
  EXPECT_EQ(t.columns[0].name, "id");
  EXPECT_EQ(t.find_column("id"), 0u);
}

TEST(DataCsv, BlankLinesAreSkipped) {
  CsvTable t = read("\n\na,b\n1,2\n\n  \n3,4\n\n\r\n\t\n");
  EXPECT_EQ(t.rows, 2u);
  EXPECT_EQ(t.values, (std::vector<double>{1, 2, 3, 4}));
  // Lines still count: the bad cell is on line 7.
  CsvTable u = read("a\n1\n\n\n\n\nq\n");
  EXPECT_EQ(u.columns[0].first_non_numeric.line, 7u);
}

TEST(DataCsv, TrailingEmptyFieldCountsAsAMissingValue) {
  CsvTable t = read("a,b,c\n1,2,\n");
  EXPECT_EQ(t.rows, 1u);
  EXPECT_TRUE(t.columns[2].numeric);  // no cell says otherwise
  EXPECT_EQ(t.columns[2].missing, 1u);
  EXPECT_TRUE(std::isnan(t.value(0, 2)));
  EXPECT_FALSE(t.columns[2].all_finite());
  EXPECT_EQ(mlp::data::missing_message("d.csv", t.columns[2].first_missing), "d.csv:2:3: missing value");
}

TEST(DataCsv, EverySpellingOfAMissingValue) {
  // Empty, NA, N/A, NaN, null and ? in any case, with or without spaces: missing in a numeric
  // column (NaN) and in a text column ("").
  const std::vector<std::string> spellings = {"", "NA", "na", "N/A", "n/a", "NaN", "nan", "NULL", "null", "?", " NA "};
  for (const std::string& m : spellings) {
    EXPECT_TRUE(mlp::data::is_missing(m)) << "'" << m << "'";
    CsvTable t = read("x,k\n1,red\n" + m + "," + m + "\n3,blue\n");
    EXPECT_TRUE(t.columns[0].numeric) << m;
    EXPECT_EQ(t.columns[0].missing, 1u) << m;
    EXPECT_TRUE(std::isnan(t.value(1, 0))) << m;
    EXPECT_EQ(t.columns[0].first_missing.line, 3u) << m;
    EXPECT_FALSE(t.columns[1].numeric) << m;
    EXPECT_EQ(t.columns[1].missing, 1u) << m;
    EXPECT_EQ(t.columns[1].text, (std::vector<std::string>{"red", "", "blue"})) << m;
  }
  for (const char* not_missing : {"none", "-", "0", "n.a."}) EXPECT_FALSE(mlp::data::is_missing(not_missing)) << not_missing;
}

TEST(DataCsv, TrueAndFalseAreOneAndZero) {
  CsvTable t = read("a,b\ntrue,1\nFALSE,2\n True ,3\n");
  ASSERT_TRUE(t.columns[0].numeric);
  EXPECT_EQ(t.value(0, 0), 1.0);
  EXPECT_EQ(t.value(1, 0), 0.0);
  EXPECT_EQ(t.value(2, 0), 1.0);
  EXPECT_FALSE(read("a\ntrue\nyes\n").columns[0].numeric);  // yes is a category, not a boolean
}

TEST(DataCsv, WithoutAHeaderColumnsAreNumbered) {
  CsvOptions o;
  o.header = false;
  CsvTable t = read("1,x\n2,y\n", o);
  EXPECT_EQ(t.rows, 2u);
  EXPECT_EQ(t.names(), (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(t.value(0, 0), 1.0);
  EXPECT_EQ(t.row_lines, (std::vector<std::size_t>{1, 2}));
  EXPECT_EQ(t.columns[1].first_non_numeric.line, 1u);
  // A byte-order mark is still skipped.
  EXPECT_EQ(read("\xEF\xBB\xBF" "5,6\n", o).value(0, 0), 5.0);
}

TEST(DataCsv, TheDelimiterIsDetectedFromTheFirstRecord) {
  EXPECT_EQ(mlp::data::detect_delimiter("a,b,c\n"), ',');
  EXPECT_EQ(mlp::data::detect_delimiter("a;b;c\n1,5;2,5;3\n"), ';');  // decimal commas below
  EXPECT_EQ(mlp::data::detect_delimiter("a\tb\n"), '\t');
  EXPECT_EQ(mlp::data::detect_delimiter("a|b|c\n"), '|');
  EXPECT_EQ(mlp::data::detect_delimiter("\"x;y\",b\n"), ',');  // not inside quotes
  EXPECT_EQ(mlp::data::detect_delimiter("single\n"), ',');
  CsvTable t = read("a;b;c\n1;2;3\n");
  EXPECT_EQ(t.cols(), 3u);
  EXPECT_EQ(t.value(0, 2), 3.0);
  EXPECT_EQ(read("a|b\n1|2\n").cols(), 2u);
}

TEST(DataCsv, Delimiters) {
  CsvOptions tab;
  tab.delimiter = '\t';
  CsvTable t = read("a\tb\n1,5\t2\n", tab);
  EXPECT_EQ(t.cols(), 2u);
  EXPECT_EQ(t.columns[0].text, (std::vector<std::string>{"1,5"}));
  EXPECT_EQ(t.values[1], 2.0);

  CsvOptions semi;
  semi.delimiter = ';';
  CsvTable s = read("a;b;c\n1;\"x;y\";3\n", semi);
  EXPECT_EQ(s.cols(), 3u);
  EXPECT_EQ(s.columns[1].text, (std::vector<std::string>{"x;y"}));
  EXPECT_EQ(s.value(0, 2), 3.0);

  // A comma given explicitly: the same file is one column.
  CsvOptions comma;
  comma.delimiter = ',';
  EXPECT_EQ(read("a;b\n1;2\n", comma).cols(), 1u);

  CsvOptions quote;
  quote.delimiter = '"';
  EXPECT_THROW(mlp::data::parse_csv("a\n1\n", "q.csv", quote), mlp::InvalidArgument);
  CsvOptions newline;
  newline.delimiter = '\n';
  EXPECT_THROW(mlp::data::parse_csv("a\n1\n", "q.csv", newline), mlp::InvalidArgument);
}

struct NumberCase {
  const char* cell;
  bool numeric;
  double value;
};

// How gtest shows a case in its messages: the cell, quoted.
void PrintTo(const NumberCase& c, std::ostream* os) { *os << "'" << c.cell << "'"; }

class DataCsvNumbers : public ::testing::TestWithParam<NumberCase> {};

TEST_P(DataCsvNumbers, AsPythonFloat) {
  const NumberCase& c = GetParam();
  CsvTable t = mlp::data::parse_csv(std::string("v\n\"") + c.cell + "\"\n", "n.csv");
  EXPECT_EQ(t.columns[0].numeric, c.numeric) << "'" << c.cell << "'";
  if (c.numeric && t.columns[0].numeric) {
    if (std::isnan(c.value)) {
      EXPECT_TRUE(std::isnan(t.values[0]));
    } else {
      EXPECT_EQ(t.values[0], c.value) << "'" << c.cell << "'";
    }
  }
}

const double kInf = INFINITY;
INSTANTIATE_TEST_SUITE_P(
    Cells, DataCsvNumbers,
    ::testing::Values(
        NumberCase{"1", true, 1}, NumberCase{"-2.5", true, -2.5}, NumberCase{"1e-3", true, 1e-3},
        NumberCase{"+3", true, 3}, NumberCase{".5", true, 0.5}, NumberCase{"5.", true, 5},
        NumberCase{"1E5", true, 1e5}, NumberCase{"-0", true, -0.0}, NumberCase{"  7\t", true, 7},
        NumberCase{"0.1", true, 0.1}, NumberCase{"nan", true, NAN}, NumberCase{"NaN", true, NAN},
        NumberCase{"inf", true, kInf}, NumberCase{"-Infinity", true, -kInf},
        NumberCase{"+inf", true, kInf}, NumberCase{"1e999", true, kInf},
        NumberCase{"-1e999", true, -kInf}, NumberCase{"1e-999", true, 0.0},
        NumberCase{"", true, NAN}, NumberCase{" ", true, NAN}, NumberCase{"1_000", false, 0},  // missing: NaN
        NumberCase{"0x10", false, 0}, NumberCase{"+-1", false, 0}, NumberCase{"--1", false, 0},
        NumberCase{"1.2.3", false, 0}, NumberCase{"1e", false, 0}, NumberCase{"e5", false, 0},
        NumberCase{".", false, 0}, NumberCase{"nan(1)", false, 0}, NumberCase{"1 2", false, 0},
        NumberCase{"12abc", false, 0}, NumberCase{"\xC3\xA9", false, 0}),
    [](const ::testing::TestParamInfo<NumberCase>& info) {  // readable, stable test names
      std::string name = std::to_string(info.index) + "_";
      for (const char* p = info.param.cell; *p; ++p) {
        const char c = *p;
        if (std::isalnum(static_cast<unsigned char>(c)) && static_cast<unsigned char>(c) < 0x80)
          name += c;
        else
          name += c == '-' ? "minus" : c == '+' ? "plus" : c == '.' ? "dot" : c == ' ' ? "space" : "x";
      }
      return name;
    });

TEST(DataCsv, ExactDoublesRoundTrip) {
  // %.17g text reads back as the same double, for many values.
  std::string text = "a,b\n";
  std::vector<double> want;
  double x = 0.1;
  for (int i = 0; i < 2000; ++i) {
    x = x * 1.37 + 1e-7;
    if (x > 1e200) x = 1e-250 * (i + 1);
    double y = -x / 3;
    char line[64];
    std::snprintf(line, sizeof line, "%.17g,%.17g\n", x, y);
    text += line;
    want.push_back(x);
    want.push_back(y);
  }
  EXPECT_EQ(read(text).values, want);
}

TEST(DataCsv, NonFiniteValuesAreReported) {
  CsvTable t = read("a,b,c\n1,2,3\n4,nan,6\n7,8,1e999\n1,inf,2\n");
  EXPECT_TRUE(t.columns[0].all_finite());
  EXPECT_TRUE(t.columns[1].numeric);
  EXPECT_FALSE(t.columns[1].all_finite());
  EXPECT_EQ(t.columns[1].first_missing.line, 3u);  // nan is a missing value
  const CellRef& b = t.columns[1].first_non_finite;
  EXPECT_EQ(b.line, 5u);
  EXPECT_EQ(b.column, 2u);
  EXPECT_EQ(b.text, "inf");
  const CellRef& c = t.columns[2].first_non_finite;
  EXPECT_EQ(c.line, 4u);
  EXPECT_EQ(c.text, "1e999");
  EXPECT_EQ(t.value(2, 2), kInf);
  EXPECT_EQ(mlp::data::not_finite_message("data.csv", c),
            "data.csv:4:3: '1e999' is not a finite number");
}

TEST(DataCsv, MessageShapes) {
  EXPECT_EQ(mlp::data::not_a_number_message("data.csv", {7, 2, "abc"}),
            "data.csv:7:2: 'abc' is not a number");
  EXPECT_EQ(mlp::data::not_finite_message("data.csv", {9, 3, "inf"}),
            "data.csv:9:3: 'inf' is not a finite number");
  // One line however the cell looks: newlines escaped, long text cut after 40 characters.
  EXPECT_EQ(mlp::data::not_a_number_message("d.csv", {2, 1, "a\nb\r\tc\x01"}),
            "d.csv:2:1: 'a\\nb\\r\\tc\\x01' is not a number");
  EXPECT_EQ(mlp::data::not_a_number_message("d.csv", {2, 1, std::string(50, 'z')}),
            "d.csv:2:1: '" + std::string(40, 'z') + "...' is not a number");
  // 41 two-byte characters are cut after 40 characters, not 40 bytes.
  std::string e_acute;
  for (int i = 0; i < 41; ++i) e_acute += "\xC3\xA9";
  EXPECT_EQ(mlp::data::not_a_number_message("d.csv", {2, 1, e_acute}),
            "d.csv:2:1: '" + e_acute.substr(0, 80) + "...' is not a number");
}

TEST(DataCsv, CheckFiniteNamesTheFirstBadCellInFileOrder) {
  CsvTable t = read("a,b,c,label\n1,2,3,x\n4,5,inf,y\n7,abc,9,z\n");
  EXPECT_NO_THROW(mlp::data::check_finite(t, {0}));
  // The label column is text, which is fine unless it is asked for as numbers.
  try {
    mlp::data::check_finite(t, {0, 1, 2});
    FAIL() << "no throw";
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()), t.path + ":3:3: 'inf' is not a finite number");
  }
  try {
    mlp::data::check_finite(t, {1});
    FAIL() << "no throw";
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()), t.path + ":4:2: 'abc' is not a number");
  }
  try {
    mlp::data::check_finite(t, {0, 3});
    FAIL() << "no throw";
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()), t.path + ":2:4: 'x' is not a number");
  }
  EXPECT_THROW(mlp::data::check_finite(t, {4}), mlp::ShapeError);
}

TEST(DataCsv, NumericMatrixSelectsColumnsRowMajor) {
  CsvTable t = read("a,b,c\n1,2,3\n4,5,6\n");
  EXPECT_EQ(mlp::data::numeric_matrix<double>(t, {2, 0}), (std::vector<double>{3, 1, 6, 4}));
  EXPECT_EQ(mlp::data::numeric_matrix<float>(t, {1}), (std::vector<float>{2, 5}));
  CsvTable u = read("a,b\n1,q\n");
  EXPECT_THROW(mlp::data::numeric_matrix<float>(u, {0, 1}), DataError);
}

TEST(DataCsv, HeaderNames) {
  CsvTable t = read(" a ,,\" c \",a\n1,2,3,4\n");
  EXPECT_EQ(t.names(), (std::vector<std::string>{"a", "1", "c", "a"}));  // trimmed, quoted or not
  EXPECT_EQ(t.find_column("1"), 1u);  // the empty name took its index
  EXPECT_EQ(t.find_column("c"), 2u);
}

TEST(DataCsv, FindColumn) {
  CsvTable t = mlp::data::parse_csv("x,y,label,2\n1,2,3,4\n", "f.csv");
  EXPECT_EQ(t.find_column("label"), 2u);
  EXPECT_EQ(t.find_column("0"), 0u);  // all digits, not a name: an index
  EXPECT_EQ(t.find_column("2"), 3u);  // a header name wins over an index
  EXPECT_EQ(t.find_column("002"), 2u);
  EXPECT_EQ(t.find_columns("x,3,y"), (std::vector<std::size_t>{0, 3, 1}));
  auto message = [&](const std::string& spec) {
    try {
      t.find_columns(spec);
    } catch (const DataError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(message("price"), "f.csv: no column 'price'; columns: x, y, label, 2");
  EXPECT_EQ(message("7"), "f.csv: column index 7 out of range; the file has 4 columns");
  EXPECT_EQ(message("99999999999999999999999"),
            "f.csv: column index 99999999999999999999999 out of range; the file has 4 columns");
  EXPECT_EQ(message("x,,y"), "f.csv: empty column name in 'x,,y'");
  EXPECT_EQ(message(""), "f.csv: empty column name in ''");
  EXPECT_EQ(message("x,0"), "f.csv: column '0' (0) is named twice");
}

TEST(DataCsv, DuplicateNamesAreAmbiguous) {
  CsvTable pair = mlp::data::parse_csv("a,a\n1,2\n", "dup.csv");
  try {
    pair.find_column("a");
    FAIL() << "no throw";
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()),
              "dup.csv: column name 'a' is ambiguous: columns 0 and 1 both have it; use an index");
  }
  CsvTable t = mlp::data::parse_csv("a,b,a,a\n1,2,3,4\n", "dup.csv");
  EXPECT_EQ(t.find_column("b"), 1u);
  EXPECT_EQ(t.find_column("2"), 2u);
  try {
    t.find_column("a");
    FAIL() << "no throw";
  } catch (const DataError& e) {
    EXPECT_EQ(
        std::string(e.what()),
        "dup.csv: column name 'a' is ambiguous: columns 0, 2 and 3 all have it; use an index");
  }
}

TEST(DataCsv, UnknownColumnListIsCut) {
  std::string header = "c0";
  std::string row = "0";
  for (int i = 1; i < 25; ++i) {
    header += ",c" + std::to_string(i);
    row += ",0";
  }
  CsvTable t = mlp::data::parse_csv(header + "\n" + row + "\n", "w.csv");
  try {
    t.find_column("nope");
    FAIL() << "no throw";
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()),
              "w.csv: no column 'nope'; columns: c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, "
              "c12, c13, c14, c15, c16, c17, c18, c19, ... (25 columns)");
  }
}

TEST(DataCsv, MissingFile) {
  std::string path = temp_path("does_not_exist.csv");
  std::remove(path.c_str());
  try {
    mlp::data::read_csv(path);
    FAIL() << "no throw";
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()), path + ": cannot open: No such file or directory");
  }
  try {
    mlp::data::read_csv(::testing::TempDir());
    FAIL() << "no throw";
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()), ::testing::TempDir() + ": cannot open: Is a directory");
  }
}

TEST(DataCsv, EmptyFileAndHeaderOnly) {
  EXPECT_EQ(error_of(""), "p.csv: empty file");
  EXPECT_EQ(error_of("\xEF\xBB\xBF\n\r\n  \n"), "p.csv: empty file");
  EXPECT_EQ(error_of("a,b\n"), "p.csv: header but no data rows");
  EXPECT_EQ(error_of("a,b"), "p.csv: header but no data rows");
  EXPECT_EQ(error_of("a,b\n\n\n"), "p.csv: header but no data rows");
  std::string path = write("empty.csv", "");
  try {
    mlp::data::read_csv(path);
    FAIL() << "no throw";
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()), path + ": empty file");
  }
}

TEST(DataCsv, RaggedRows) {
  EXPECT_EQ(error_of("a,b,c,d\n1,2,3,4\n1,2,3,4\n\n1,2,3\n"), "p.csv:5: 3 fields, expected 4");
  EXPECT_EQ(error_of("a,b\n1,2,3\n"), "p.csv:2: 3 fields, expected 2");
  EXPECT_EQ(error_of("a,b\n1,2\n5\n"), "p.csv:3: 1 field, expected 2");
}

TEST(DataCsv, UnterminatedQuote) {
  EXPECT_EQ(error_of("a,b\n1,\"open\n2,3\n4,5\n"), "p.csv:2:2: unterminated quoted field");
  EXPECT_EQ(error_of("\"a\n"), "p.csv:1:1: unterminated quoted field");
}

TEST(DataCsv, TextAfterClosingQuote) {
  EXPECT_EQ(error_of("a,b\n1,\"x\"y\n"), "p.csv:2:2: unexpected 'y' after a closing quote");
  EXPECT_EQ(error_of("a,b\n1,\"x\" \"\n"), "p.csv:2:2: unexpected '\"' after a closing quote");
  EXPECT_NO_THROW(mlp::data::parse_csv("a,b\n1,\"x\"  \n", "p.csv"));
}

TEST(DataCsv, BinaryData) {
  EXPECT_EQ(error_of(std::string("a,b\x00,c\n1,2,3\n", 14)),
            "p.csv:1:2: not a text file (binary data)");
  EXPECT_EQ(error_of(std::string("\x00\x01\x02\x03", 4)),
            "p.csv:1:1: not a text file (binary data)");
  EXPECT_EQ(error_of("a,b\n1,2\n3,\"x\xFFy\"\n"), "p.csv:3:2: not a text file (binary data)");
  EXPECT_EQ(error_of("\x89PNG\r\n\x1a\n"), "p.csv:1:1: not a text file (binary data)");
  EXPECT_EQ(error_of("a\n\xC0\x80\n"), "p.csv:2:1: not a text file (binary data)");  // overlong
  EXPECT_EQ(error_of("a\n\xED\xA0\x80\n"),
            "p.csv:2:1: not a text file (binary data)");                            // surrogate
  EXPECT_EQ(error_of("a\nx\xE2\x82"), "p.csv:2:1: not a text file (binary data)");  // cut short
  EXPECT_EQ(error_of("a\n\"q\"\xFF\n"), "p.csv:2:1: not a text file (binary data)");
  // Real UTF-8 is text.
  CsvTable t = read("name,\xE2\x82\xAC\ncaf\xC3\xA9,\xF0\x9F\x98\x80\n");
  EXPECT_EQ(t.columns[0].text, (std::vector<std::string>{"caf\xC3\xA9"}));
  EXPECT_EQ(t.columns[1].name, "\xE2\x82\xAC");
}

TEST(DataCsv, ReadCsvNamesItsFileInErrors) {
  std::string path = write("ragged.csv", "a,b\n1\n");
  try {
    mlp::data::read_csv(path);
    FAIL() << "no throw";
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()), path + ":2: 1 field, expected 2");
  }
}

TEST(DataCsv, ManyRowsAndColumns) {
  // 3000 rows x 50 columns: value (r, c) = r * 50 + c, with a text column last.
  std::string text;
  for (int c = 0; c < 50; ++c) text += "f" + std::to_string(c) + ",";
  text += "label\n";
  for (int r = 0; r < 3000; ++r) {
    for (int c = 0; c < 50; ++c) text += std::to_string(r * 50 + c) + ",";
    text += r == 2999 ? "last\n" : std::to_string(r % 10) + "\n";
  }
  CsvTable t = read(text);
  ASSERT_EQ(t.rows, 3000u);
  ASSERT_EQ(t.cols(), 51u);
  for (int r = 0; r < 3000; r += 7) {
    for (int c = 0; c < 50; ++c) ASSERT_EQ(t.value(r, c), r * 50 + c);
  }
  EXPECT_EQ(t.columns[50].text[0], "0");
  EXPECT_EQ(t.columns[50].text[2998], "8");
  EXPECT_EQ(t.columns[50].text[2999], "last");
  EXPECT_EQ(t.columns[50].first_non_numeric.line, 3001u);
}

}  // namespace
