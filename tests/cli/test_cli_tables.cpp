// End-to-end: real-world tables through the mlp command (categories, missing values, --ignore,
// --keep, --no-header, detected delimiters), the documented exit codes, option suggestions,
// --version, and a model file written by mlp 0.1 (tests/fixtures/model_v0.1.safetensors).
#include <gtest/gtest.h>

#include <csignal>
#include <nlohmann/json.hpp>

#include "cli_fixtures.h"
#include "golden.h"

namespace {

using mlp_test::CommandResult;
using mlp_test::mlp;
using mlp_test::q;
using mlp_test::ScratchDir;
using mlp_test::write_file;

// id, a number with gaps, a category with gaps, a label: "yes" when colour is red or x > 0.
std::string table(std::size_t rows, char delimiter = ',', bool header = true) {
  const std::string d(1, delimiter);
  std::string csv = header ? "id" + d + "x" + d + "colour" + d + "label\n" : std::string();
  for (std::size_t i = 0; i < rows; ++i) {
    const double x = static_cast<double>(i % 11) - 5;
    const char* colour = i % 3 == 0 ? "red" : i % 3 == 1 ? "green" : "blue";
    std::string xs = i % 13 == 4 ? "NA" : std::to_string(x);
    std::string cs = i % 17 == 6 ? "" : colour;
    const bool yes = (i % 3 == 0) || (i % 13 != 4 && x > 0);
    csv += "id" + std::to_string(i) + delimiter + xs + delimiter + cs + delimiter + (yes ? "yes" : "no") + "\n";
  }
  return csv;
}

double accuracy(const std::string& model, const std::string& data, const std::string& extra = "") {
  CommandResult r = mlp("eval " + q(model) + " " + q(data) + extra + " --json");
  EXPECT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  return j.is_discarded() ? -1 : j.at("accuracy").get<double>();
}

TEST(CliTables, CategoriesMissingValuesAndIgnoredIdsTrainAndPredict) {
  ScratchDir dir;
  const std::string data = dir / "t.csv", model = dir / "m.st";
  write_file(data, table(300));
  CommandResult t = mlp("train " + q(data) + " --ignore id --epochs 60 -o " + q(model));
  ASSERT_EQ(t.status, 0) << t.err;
  EXPECT_NE(t.err.find("imputed missing values"), std::string::npos) << t.err;
  EXPECT_NE(t.err.find("x 23"), std::string::npos) << t.err;       // i % 13 == 4 in 0..299
  EXPECT_NE(t.err.find("colour 18"), std::string::npos) << t.err;  // i % 17 == 6
  EXPECT_NE(t.err.find("1 categorical"), std::string::npos) << t.err;
  EXPECT_GT(accuracy(model, data), 0.9);
  CommandResult info = mlp("info " + q(model));
  EXPECT_NE(info.out.find("from 2 columns (1 categorical, one-hot)"), std::string::npos) << info.out;

  // predict: --keep copies the id next to the predictions; an unseen category is counted.
  const std::string fresh = dir / "fresh.csv";
  write_file(fresh, "id,colour,x\nA1,purple,3\nA2,red,-4\n");  // columns by name, in any order
  CommandResult p = mlp("predict " + q(model) + " " + q(fresh) + " --keep id");
  ASSERT_EQ(p.status, 0) << p.err;
  auto rows = mlp_test::parse_csv(p.out);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"id", "class", "prob_no", "prob_yes"}));
  EXPECT_EQ(rows[1][0], "A1");
  EXPECT_EQ(rows[2][0], "A2");
  EXPECT_EQ(rows[2][1], "yes");  // red
  EXPECT_NE(p.err.find("not seen in training"), std::string::npos) << p.err;
  EXPECT_NE(p.err.find("colour 1"), std::string::npos) << p.err;
  // float32 probabilities print at float32's precision: at most 9 significant digits.
  for (std::size_t k = 2; k < 4; ++k) {
    std::string digits = rows[1][k].substr(0, rows[1][k].find('e'));
    std::erase(digits, '.');
    EXPECT_LE(digits.size() - std::min(digits.size(), digits.find_first_not_of('0')), 9u) << rows[1][k];
  }

  // A model trained with --missing drop imputes at predict time; --missing error fails there.
  const std::string strict = dir / "strict.st";
  ASSERT_EQ(mlp("train " + q(data) + " --ignore id --missing drop --epochs 2 -q -o " + q(strict)).status, 0);
  EXPECT_NE(mlp("info " + q(strict) + " --json").out.find("\"missing\":\"drop\""), std::string::npos);
}

TEST(CliTables, NoHeaderAndDelimitersAreReadAlike) {
  ScratchDir dir;
  const std::string comma = dir / "c.csv", semi = dir / "s.csv", tab = dir / "t.tsv", bare = dir / "n.csv";
  write_file(comma, table(120));
  write_file(semi, table(120, ';'));
  write_file(tab, table(120, '\t'));
  write_file(bare, table(120, ',', false));
  const std::string args = " --ignore id --epochs 3 --seed 4 -q -o ";
  ASSERT_EQ(mlp("train " + q(comma) + args + q(dir / "c.st")).status, 0);
  ASSERT_EQ(mlp("train " + q(semi) + args + q(dir / "s.st")).status, 0);  // detected
  ASSERT_EQ(mlp("train " + q(tab) + " --delimiter tab" + args + q(dir / "t.st")).status, 0);
  ASSERT_EQ(mlp("train " + q(tab) + " --delimiter '\\t'" + args + q(dir / "t2.st")).status, 0);
  CommandResult nh = mlp("train " + q(bare) + " --no-header --ignore 0 --epochs 3 --seed 4 -q -o " + q(dir / "n.st"));
  ASSERT_EQ(nh.status, 0) << nh.err;
  const std::string want = mlp("predict " + q(dir / "c.st") + " " + q(comma)).out;
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(mlp("predict " + q(dir / "s.st") + " " + q(semi)).out, want);
  EXPECT_EQ(mlp("predict " + q(dir / "t.st") + " " + q(tab)).out, want);
  EXPECT_EQ(mlp("predict " + q(dir / "t2.st") + " " + q(tab)).out, want);
  // Without a header the columns are named 0, 1, ...; the numbers are the same.
  EXPECT_EQ(mlp("predict " + q(dir / "n.st") + " " + q(bare) + " --no-header").out, want);
  // A wrong delimiter leaves one column: the message says so.
  mlp_test::expect_one_line_error(mlp("train " + q(semi) + " --delimiter , -o " + q(dir / "x.st")),
                                  {semi, "single column", "--delimiter"}, "wrong delimiter");
}

TEST(CliTables, ExitCodesAreDocumentedOnes) {
  ScratchDir dir;
  const std::string data = dir / "t.csv";
  write_file(data, table(40));
  // 2: usage. A misspelled option is reported with the closest one, before a missing argument.
  CommandResult typo = mlp("train --epohcs 3");
  EXPECT_EQ(typo.status, 2) << typo.err;
  EXPECT_NE(typo.err.find("'--epohcs'"), std::string::npos) << typo.err;
  EXPECT_NE(typo.err.find("did you mean '--epochs'"), std::string::npos) << typo.err;
  EXPECT_NE(typo.err.find("mlp train --help"), std::string::npos) << typo.err;
  EXPECT_EQ(mlp("predict m.st d.csv --kep id").status, 2);
  EXPECT_EQ(mlp("train " + q(data) + " -o " + q(dir / "m.st")).status == 0, true);
  EXPECT_EQ(mlp("train " + q(data) + " --epochs 0 -o " + q(dir / "z.st")).status, 2);
  EXPECT_FALSE(mlp_test::file_exists(dir / "z.st"));
  EXPECT_EQ(mlp("train " + q(data) + " --optimizer adamm -o " + q(dir / "z.st")).status, 2);
  EXPECT_EQ(mlp("train").status, 2);
  EXPECT_EQ(mlp("nonsense").status, 2);
  // 1: bad data or model.
  EXPECT_EQ(mlp("train " + q(dir / "missing.csv") + " -o " + q(dir / "z.st")).status, 1);
  const std::string not_a_model = dir / "not_a_model.st";
  write_file(not_a_model, "a,b,c\n1,2,3\n");
  CommandResult info = mlp("info " + q(not_a_model));
  EXPECT_EQ(info.status, 1);
  EXPECT_NE(info.err.find("not a safetensors file"), std::string::npos) << info.err;
  // The output path is checked before training: one line, no progress before it.
  mlp_test::expect_one_line_error(mlp("train " + q(data) + " -o " + q(dir / "no_such_dir/m.st")),
                                  {"no_such_dir"}, "unwritable output");
  // 0 and the version.
  CommandResult v = mlp("--version");
  EXPECT_EQ(v.status, 0);
  EXPECT_EQ(v.out.rfind("mlp 0.", 0), 0u) << v.out;
}

TEST(CliTables, AModelWrittenByMlp01StillLoadsAndPredictsIdentically) {
  // Trained by mlp 0.1 on tests/fixtures/defaults/wine_train.csv; its predictions then, beside it.
  const std::string model = mlp_test::golden_path("model_v0.1.safetensors");
  const std::string expected = mlp_test::golden_text("model_v0.1_predictions.csv");
  ASSERT_FALSE(expected.empty());
  CommandResult p = mlp("predict " + q(model) + " " + q(mlp_test::golden_path("defaults/wine_test.csv")));
  ASSERT_EQ(p.status, 0) << p.err;
  // mlp 0.1 printed probabilities with 17 digits; compare the numbers at float32's precision.
  auto got = mlp_test::parse_csv(p.out), want = mlp_test::parse_csv(expected);
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t r = 0; r < got.size(); ++r) {
    ASSERT_EQ(got[r].size(), want[r].size()) << r;
    for (std::size_t k = 0; k < got[r].size(); ++k) {
      if (r == 0 || k == 0)
        EXPECT_EQ(got[r][k], want[r][k]) << r << "," << k;
      else
        EXPECT_EQ(static_cast<float>(mlp_test::to_double(got[r][k])), static_cast<float>(mlp_test::to_double(want[r][k])))
            << r << "," << k;
    }
  }
  CommandResult info = mlp("info " + q(model));
  EXPECT_EQ(info.status, 0) << info.err;
  EXPECT_NE(info.out.find("mlp model format 1"), std::string::npos) << info.out;
}

}  // namespace
