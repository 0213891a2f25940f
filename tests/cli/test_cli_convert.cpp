// `mlp convert`: a numeric CSV into NPY features and labels that train exactly as the CSV does;
// what it refuses, and that it writes both files or neither.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "cli_fixtures.h"

namespace {

using mlp_test::CommandResult;
using mlp_test::file_exists;
using mlp_test::mlp;
using mlp_test::q;
using mlp_test::ScratchDir;
using mlp_test::write_file;

// rows of three features (with "+", exponents, quotes and CRLF) and a label: classes 0..2, or a
// number for regression.
std::string numeric_table(std::size_t rows, bool regression) {
  std::string s = "a,b,c,label\r\n";
  for (std::size_t i = 0; i < rows; ++i) {
    const double a = std::sin(0.37 * static_cast<double>(i)) * 3, b = std::cos(0.11 * static_cast<double>(i)) * 1e-2;
    const double c = static_cast<double>(i % 7);
    const double label = regression ? a * 2 - b * 100 + c : static_cast<double>((a > 0) + (c > 3));
    s += std::to_string(a) + "," + (i % 2 && b >= 0 ? "+" : "") + std::to_string(b * 1e3) + "e-3,\"" + std::to_string(c) + "\"," +
         std::to_string(label) + "\r\n";
  }
  return s;
}

// Trains on the CSV and on its conversion with the same default options; both predict alike.
void expect_trains_alike(bool regression) {
  ScratchDir dir;
  const std::string csv = dir / "data.csv";
  write_file(csv, numeric_table(150, regression));
  CommandResult c = mlp("convert " + q(csv) + " -o " + q(dir / "data.npy"));
  ASSERT_EQ(c.status, 0) << c.err;
  EXPECT_NE(c.out.find("150 rows, 3 features"), std::string::npos) << c.out;
  ASSERT_TRUE(file_exists(dir / "data.labels.npy"));
  const std::string opts = " --epochs 4 --hidden 16 -q -o ";
  CommandResult a = mlp("train " + q(csv) + opts + q(dir / "csv.st"));
  ASSERT_EQ(a.status, 0) << a.err;
  CommandResult b = mlp("train " + q(dir / "data.npy") + " --labels " + q(dir / "data.labels.npy") + opts + q(dir / "npy.st"));
  ASSERT_EQ(b.status, 0) << b.err;
  CommandResult pa = mlp("predict " + q(dir / "csv.st") + " " + q(csv));
  CommandResult pb = mlp("predict " + q(dir / "npy.st") + " " + q(dir / "data.npy"));
  ASSERT_EQ(pa.status, 0) << pa.err;
  ASSERT_EQ(pb.status, 0) << pb.err;
  EXPECT_GT(pa.out.size(), 150u * 4);
  EXPECT_EQ(pa.out, pb.out);
}

TEST(CliConvert, ConvertedClassesTrainAsTheCsv) { expect_trains_alike(false); }
TEST(CliConvert, ConvertedRegressionTrainsAsTheCsv) { expect_trains_alike(true); }

TEST(CliConvert, RefusesTextAndMissingCellsAndWritesNothing) {
  ScratchDir dir;
  const std::string out = dir / "x.npy", labels = dir / "y.npy";
  const std::string args = " -o " + q(out) + " --labels-output " + q(labels);
  write_file(dir / "text.csv", "id,a,label\nA,1,0\nB,2,1\n");
  CommandResult t = mlp("convert " + q(dir / "text.csv") + args);
  EXPECT_EQ(t.status, 1);
  EXPECT_NE(t.err.find("text.csv:2:1: 'A' is not a number (convert writes numbers only"), std::string::npos) << t.err;
  // ... --ignore takes the text column out.
  CommandResult ok = mlp("convert " + q(dir / "text.csv") + args + " --ignore id");
  EXPECT_EQ(ok.status, 0) << ok.err;
  EXPECT_TRUE(file_exists(out) && file_exists(labels));
  std::filesystem::remove(out);
  std::filesystem::remove(labels);

  write_file(dir / "gap.csv", "a,b,label\n1,2,0\n3,,1\n");
  CommandResult g = mlp("convert " + q(dir / "gap.csv") + args);
  EXPECT_EQ(g.status, 1);
  EXPECT_NE(g.err.find("gap.csv:3:2: missing value"), std::string::npos) << g.err;
  write_file(dir / "words.csv", "a,label\n1,cat\n2,dog\n");
  CommandResult w = mlp("convert " + q(dir / "words.csv") + args);
  EXPECT_EQ(w.status, 1);
  EXPECT_NE(w.err.find("convert writes numeric labels only"), std::string::npos) << w.err;
  EXPECT_FALSE(file_exists(out) || file_exists(labels));
  CommandResult same = mlp("convert " + q(dir / "gap.csv") + " -o " + q(out) + " --labels-output " + q(out));
  EXPECT_EQ(same.status, 2) << same.err;
}

}  // namespace
