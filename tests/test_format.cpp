// Python/numpy formatting against strings numpy printed (tests/data/format_golden.txt,
// from scripts/gen_format_golden.py).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "mlp/format.h"

#ifndef MLP_TEST_DATA
#define MLP_TEST_DATA "tests/data"
#endif

namespace {

TEST(Format, MatchesNumpy) {
  std::ifstream in(MLP_TEST_DATA "/format_golden.txt");
  ASSERT_TRUE(in.good());
  std::string line;
  int arrays = 0, reprs = 0;
  while (std::getline(in, line)) {
    std::istringstream head(line);
    std::string kind;
    head >> kind;
    if (kind == "array") {
      std::size_t rows, cols;
      int vector;
      head >> rows >> cols >> vector;
      std::getline(in, line);
      std::istringstream nums(line);
      std::vector<double> values;
      std::string token;
      while (nums >> token) values.push_back(std::strtod(token.c_str(), nullptr));
      std::string expected, text;
      while (std::getline(in, text) && text != "end") expected += (expected.empty() ? "" : "\n") + text;
      EXPECT_EQ(mlp::format_numpy(values.data(), rows, cols, vector != 0), expected) << "values: " << line;
      ++arrays;
    } else if (kind == "repr") {
      std::string value, expected;
      head >> value >> expected;
      EXPECT_EQ(mlp::format_repr(std::strtod(value.c_str(), nullptr)), expected);
      ++reprs;
    }
  }
  EXPECT_GT(arrays, 20);
  EXPECT_GT(reprs, 10);
}

}  // namespace
