// `mlp activation`: CSV that reads back to the library's float64 values, the SVG plot,
// and one-line errors.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "mlp/nn/activation.h"
#include "run_command.h"

namespace {

std::string mlp_cmd(const std::string& args) { return std::string(MLP_BINARY) + " " + args; }

std::vector<std::vector<double>> parse_csv(const std::string& text, std::string& header) {
  std::stringstream s(text);
  std::getline(s, header);
  std::vector<std::vector<double>> rows;
  std::string line;
  while (std::getline(s, line)) {
    std::vector<double> row;
    std::stringstream ls(line);
    std::string cell;
    while (std::getline(ls, cell, ',')) row.push_back(std::strtod(cell.c_str(), nullptr));
    rows.push_back(row);
  }
  return rows;
}

TEST(CliActivation, DefaultsGive101PointsFromMinus5To5) {
  auto r = mlp_test::run_command(mlp_cmd("activation relu"));
  ASSERT_EQ(r.status, 0) << r.err;
  std::string header;
  auto rows = parse_csv(r.out, header);
  EXPECT_EQ(header, "x,y,dy");
  ASSERT_EQ(rows.size(), 101u);
  EXPECT_EQ(rows.front()[0], -5.0);
  EXPECT_EQ(rows.back()[0], 5.0);
  EXPECT_EQ(rows[50][0], 0.0);
  EXPECT_EQ(rows[50][2], 0.0);  // relu'(0) = 0, as PyTorch
  EXPECT_EQ(rows[100][1], 5.0);
  EXPECT_EQ(rows[100][2], 1.0);
}

TEST(CliActivation, NegativeBoundsParseAndValuesReadBackExactly) {
  auto r = mlp_test::run_command(mlp_cmd("activation gelu --from -60 --to 7.5 --points 13"));
  ASSERT_EQ(r.status, 0) << r.err;
  std::string header;
  auto rows = parse_csv(r.out, header);
  ASSERT_EQ(rows.size(), 13u);
  EXPECT_EQ(rows.front()[0], -60.0);
  EXPECT_EQ(rows.back()[0], 7.5);
  mlp::Activation gelu = mlp::parse_activation("gelu");
  for (const auto& row : rows) {
    EXPECT_EQ(row[1], mlp::activation_value(gelu, row[0]));  // bit for bit: enough digits printed
    EXPECT_EQ(row[2], mlp::activation_derivative(gelu, row[0]));
  }
}

TEST(CliActivation, WritesAnSvgWithBothCurves) {
  std::string path = ::testing::TempDir() + "mlp_activation_test.svg";
  std::remove(path.c_str());
  auto r = mlp_test::run_command(mlp_cmd("activation tanh --svg " + path));
  ASSERT_EQ(r.status, 0) << r.err;
  std::string svg = mlp_test::read_text(path);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  std::size_t lines = 0;
  for (std::size_t p = svg.find("<polyline"); p != std::string::npos; p = svg.find("<polyline", p + 1)) ++lines;
  EXPECT_EQ(lines, 2u);
  std::remove(path.c_str());
}

TEST(CliActivation, ErrorsAreOneLineAndNonZero) {
  struct Case {
    std::string args, needle;
  };
  std::vector<Case> cases = {
      {"activation nope", "relu"},                    // unknown name: the valid ones are listed
      {"activation relu --points 0", "--points"},
      {"activation relu --from abc", "--from"},
      {"activation relu --from 3 --to 1", "--to"},
      {"activation softmax", "softmax"},
      {"activation", "name"},
      {"nosuchcommand", "nosuchcommand"},
      {"activation relu --svg /nonexistent-dir/x.svg", "/nonexistent-dir/x.svg"},
  };
  for (const auto& c : cases) {
    auto r = mlp_test::run_command(mlp_cmd(c.args));
    EXPECT_NE(r.status, 0) << c.args;
    EXPECT_LT(r.status, 128) << c.args << ": killed by a signal";
    EXPECT_EQ(mlp_test::count_lines(r.err), 1) << c.args << ": " << r.err;
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << c.args << ": " << r.err;
  }
}

TEST(CliActivation, HelpListsEveryOptionWithItsDefault) {
  auto r = mlp_test::run_command(mlp_cmd("activation --help"));
  ASSERT_EQ(r.status, 0);
  for (const char* s : {"--from", "-5", "--to", "--points", "101", "--svg", "leaky_relu"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s;
}

}  // namespace
