// Python/numpy formatting against strings numpy printed (tests/fixtures/format_golden.txt,
// from scripts/gen_format_golden.py).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/format.h"
#include "golden.h"

namespace {

TEST(Format, MatchesNumpy) {
  // "array ROWS COLS VECTOR", a line of values, numpy's text, "end"; or "repr VALUE EXPECTED".
  const std::vector<mlp_test::GoldenLine> lines = mlp_test::read_golden_lines("format_golden.txt");
  int arrays = 0, reprs = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const mlp_test::GoldenLine& head = lines[i];
    if (head.key == "array") {
      const std::size_t rows = head.count(0), cols = head.count(1);
      const bool vector = head.count(2) != 0;
      const mlp_test::GoldenLine& values_line = lines.at(++i);
      const std::vector<double> values = values_line.values();
      std::string expected;
      while (lines.at(++i).text != "end") expected += (expected.empty() ? "" : "\n") + lines[i].text;
      EXPECT_EQ(mlp::format_numpy(values.data(), rows, cols, vector), expected) << "values: " << values_line.text;
      ++arrays;
    } else if (head.key == "repr") {
      EXPECT_EQ(mlp::format_repr(head.num(0)), head.word(1));
      ++reprs;
    }
  }
  EXPECT_GT(arrays, 20);
  EXPECT_GT(reprs, 10);
}

}  // namespace
