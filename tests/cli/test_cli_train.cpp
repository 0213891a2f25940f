// End-to-end tests of `mlp train`, `predict`, `eval` and `info` on small files written here:
// round trips for multi-output regression and for classification with numeric and text labels,
// from CSV, NPY and IDX (plain and gzip); --init-from (and --init), --val, early stopping, and the options' effects.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_fixtures.h"
#include "mlp/core/matmul.h"

namespace {

using mlp_test::CommandResult;
using mlp_test::mlp;
using mlp_test::Numbers;
using mlp_test::parse_csv;
using mlp_test::q;
using mlp_test::ScratchDir;
using mlp_test::to_double;
using mlp_test::write_file;
using nlohmann::json;
using Rows = std::vector<std::vector<double>>;

// a, b, c in [-1, 1); y1 = 2a - b + 0.5c + 0.3; y2 = 0.5a + 1.5c - 1.
Rows linear_rows(std::size_t n, std::uint64_t seed) {
  Numbers u(seed);
  Rows rows;
  for (std::size_t i = 0; i < n; ++i) {
    double a = u.next(), b = u.next(), c = u.next();
    rows.push_back({a, b, c, 2 * a - b + 0.5 * c + 0.3, 0.5 * a + 1.5 * c - 1});
  }
  return rows;
}
const std::vector<std::string> kLinearHeader = {"a", "b", "c", "y1", "y2"};

// a, b, c in [-1, 1) and the index of the largest one (0, 1 or 2).
std::vector<std::pair<std::vector<double>, int>> argmax_rows(std::size_t n, std::uint64_t seed) {
  Numbers u(seed);
  std::vector<std::pair<std::vector<double>, int>> rows;
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<double> x = {u.next(), u.next(), u.next()};
    rows.push_back({x, static_cast<int>(std::max_element(x.begin(), x.end()) - x.begin())});
  }
  return rows;
}

// A command that must succeed; returns its result.
CommandResult ok(const std::string& args) {
  CommandResult r = mlp(args);
  EXPECT_EQ(r.status, 0) << "mlp " << args << "\n" << r.err;
  return r;
}

json json_of(const CommandResult& r) {
  json j = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "not JSON: " << r.out;
  return j;
}

// predict's output: the header and the rows.
struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};
Table table_of(const std::string& csv) {
  auto all = parse_csv(csv);
  Table t;
  if (all.empty()) return t;
  t.header = all.front();
  t.rows.assign(all.begin() + 1, all.end());
  return t;
}

// The fraction of rows whose predicted class (column 0) equals `truth[r]`; checks that each row's
// probabilities sum to 1 and that the class is the most probable one.
double accuracy_of(const Table& t, const std::vector<std::string>& truth) {
  EXPECT_EQ(t.rows.size(), truth.size());
  std::size_t right = 0;
  for (std::size_t r = 0; r < t.rows.size() && r < truth.size(); ++r) {
    const auto& row = t.rows[r];
    double sum = 0, best = -1;
    std::string best_name;
    for (std::size_t c = 1; c < row.size(); ++c) {
      double p = to_double(row[c]);
      EXPECT_GE(p, 0.0);
      EXPECT_LE(p, 1.0);
      sum += p;
      if (p > best) best = p, best_name = t.header[c].substr(5);  // "prob_NAME"
    }
    EXPECT_NEAR(sum, 1.0, 1e-6) << "row " << r;
    EXPECT_EQ(row[0], best_name) << "row " << r << ": the class is not the most probable";
    right += row[0] == truth[r];
  }
  return truth.empty() ? 0 : static_cast<double>(right) / static_cast<double>(truth.size());
}

TEST(CliTrain, RegressionWithTwoTargetsRoundTrips) {
  ScratchDir dir;
  const std::string train = dir / "train.csv", test = dir / "test.csv", model = dir / "model.safetensors";
  write_file(train, mlp_test::csv_text(kLinearHeader, linear_rows(80, 1)));
  Rows test_rows = linear_rows(25, 2);
  write_file(test, mlp_test::csv_text(kLinearHeader, test_rows));
  ok("train " + q(train) + " --target y1,y2 --hidden 16 --lr 0.01 --epochs 150 -q -o " + q(model));

  Table t = table_of(ok("predict " + q(model) + " " + q(test)).out);
  ASSERT_EQ(t.header, (std::vector<std::string>{"y1", "y2"}));
  ASSERT_EQ(t.rows.size(), test_rows.size());
  double se = 0, ae = 0, mean[2] = {0, 0}, ss_tot = 0;
  for (const auto& r : test_rows) mean[0] += r[3] / 25.0, mean[1] += r[4] / 25.0;
  for (std::size_t i = 0; i < test_rows.size(); ++i)
    for (int k = 0; k < 2; ++k) {
      double err = to_double(t.rows[i][k]) - test_rows[i][3 + k];
      se += err * err;
      ae += std::fabs(err);
      ss_tot += (test_rows[i][3 + k] - mean[k]) * (test_rows[i][3 + k] - mean[k]);
    }
  double mse = se / 50, mae = ae / 50;
  EXPECT_LT(mse / (ss_tot / 50), 0.05) << "the model did not learn the linear targets";

  // eval's numbers are those of predict's outputs against the targets.
  json j = json_of(ok("eval " + q(model) + " " + q(test) + " --json"));
  EXPECT_EQ(j.at("samples").get<int>(), 25);
  EXPECT_NEAR(j.at("mse").get<double>(), mse, 1e-9 * (1 + mse));
  EXPECT_NEAR(j.at("rmse").get<double>(), std::sqrt(mse), 1e-9);
  EXPECT_NEAR(j.at("mae").get<double>(), mae, 1e-9);
  EXPECT_GT(j.at("r2").get<double>(), 0.9);
  EXPECT_NEAR(j.at("loss").get<double>(), mse, 1e-9 * (1 + mse));  // the loss is mse, in the targets' units
  EXPECT_FALSE(j.contains("accuracy"));

  // Plain eval prints the same metrics as text.
  CommandResult text = ok("eval " + q(model) + " " + q(test));
  for (const char* key : {"mse", "rmse", "mae", "r2"}) EXPECT_NE(text.out.find(key), std::string::npos) << key;
}

TEST(CliTrain, ClassificationWithNumericLabelsRoundTrips) {
  ScratchDir dir;
  const std::string train = dir / "train.csv", test = dir / "test.csv", model = dir / "model.safetensors";
  const double names[] = {3, 7, 10};  // sorted as numbers: 3 < 7 < 10 (as text "10" < "3")
  auto write = [&](const std::string& path, std::size_t n, std::uint64_t seed) {
    std::vector<std::string> truth;
    Rows rows;
    for (const auto& [x, k] : argmax_rows(n, seed)) {
      rows.push_back({x[0], x[1], x[2], names[k]});
      truth.push_back(std::to_string(static_cast<int>(names[k])));
    }
    write_file(path, mlp_test::csv_text({"a", "b", "c", "label"}, rows));
    return truth;
  };
  write(train, 120, 3);
  std::vector<std::string> truth = write(test, 40, 4);
  CommandResult tr = ok("train " + q(train) + " --hidden 16 --lr 0.02 --epochs 80 -o " + q(model));
  EXPECT_NE(tr.err.find("classification"), std::string::npos) << tr.err;

  Table t = table_of(ok("predict " + q(model) + " " + q(test)).out);
  ASSERT_EQ(t.header, (std::vector<std::string>{"class", "prob_3", "prob_7", "prob_10"}));
  double acc = accuracy_of(t, truth);
  EXPECT_GT(acc, 0.85);

  json j = json_of(ok("eval " + q(model) + " " + q(test) + " --json"));
  EXPECT_EQ(j.at("samples").get<int>(), 40);
  EXPECT_NEAR(j.at("accuracy").get<double>(), acc, 1e-12);
  EXPECT_GT(j.at("loss").get<double>(), 0.0);
  EXPECT_EQ(j.at("classes"), json({"3", "7", "10"}));
  EXPECT_FALSE(j.contains("mse"));
}

TEST(CliTrain, ClassificationWithTextLabelsRoundTripsTheirNames) {
  ScratchDir dir;
  const std::string train = dir / "train.csv", test = dir / "test.csv", model = dir / "model.safetensors";
  // As written in the CSV (RFC 4180 quoting) and as the names read back.
  const std::string cells[] = {"red", "\"green, light\"", "\"blue \"\"navy\"\"\""};
  const std::string names[] = {"red", "green, light", "blue \"navy\""};
  auto write = [&](const std::string& path, std::size_t n, std::uint64_t seed) {
    std::vector<std::string> truth;
    std::string csv = "x1,x2,x3,colour\n";
    for (const auto& [x, k] : argmax_rows(n, seed)) {
      csv += std::to_string(x[0]) + "," + std::to_string(x[1]) + "," + std::to_string(x[2]) + "," + cells[k] + "\n";
      truth.push_back(names[k]);
    }
    write_file(path, csv);
    return truth;
  };
  write(train, 120, 5);
  std::vector<std::string> truth = write(test, 40, 6);
  ok("train " + q(train) + " --hidden 16 --lr 0.02 --epochs 80 -q -o " + q(model));

  CommandResult p = ok("predict " + q(model) + " " + q(test));
  // Names with a comma or a quote are quoted in the output, so a CSV reader gets them back whole.
  EXPECT_EQ(p.out.substr(0, p.out.find('\n')), "class,\"prob_blue \"\"navy\"\"\",\"prob_green, light\",prob_red");
  Table t = table_of(p.out);
  ASSERT_EQ(t.header, (std::vector<std::string>{"class", "prob_blue \"navy\"", "prob_green, light", "prob_red"}));
  double acc = accuracy_of(t, truth);
  EXPECT_GT(acc, 0.85);
  for (const auto& row : t.rows)
    EXPECT_TRUE(row[0] == names[0] || row[0] == names[1] || row[0] == names[2]) << row[0];

  json j = json_of(ok("eval " + q(model) + " " + q(test) + " --json"));
  EXPECT_NEAR(j.at("accuracy").get<double>(), acc, 1e-12);
  EXPECT_EQ(j.at("classes"), json({"blue \"navy\"", "green, light", "red"}));
  json info = json_of(ok("info " + q(model) + " --json"));
  EXPECT_EQ(info.at("classes"), j.at("classes"));
  EXPECT_EQ(info.at("targets"), json({"colour"}));
}

TEST(CliTrain, NpyFeaturesAndTwoTargetColumnsRoundTrip) {
  ScratchDir dir;
  Rows all = linear_rows(100, 7);
  auto split = [&](std::size_t from, std::size_t to, Rows& x, Rows& y) {
    for (std::size_t i = from; i < to; ++i) {
      x.push_back({all[i][0], all[i][1], all[i][2]});
      y.push_back({all[i][3], all[i][4]});
    }
  };
  Rows xtr, ytr, xva, yva, xte, yte;
  split(0, 60, xtr, ytr);
  split(60, 80, xva, yva);
  split(80, 100, xte, yte);
  write_file(dir / "x.npy", mlp_test::npy_f32(xtr));
  write_file(dir / "y.npy", mlp_test::npy_f64(ytr));
  write_file(dir / "xv.npy", mlp_test::npy_f32(xva));
  write_file(dir / "yv.npy", mlp_test::npy_f64(yva));
  write_file(dir / "xt.npy", mlp_test::npy_f32(xte));
  write_file(dir / "yt.npy", mlp_test::npy_f64(yte));
  const std::string model = dir / "model.safetensors";
  ok("train " + q(dir / "x.npy") + " --labels " + q(dir / "y.npy") + " --val " + q(dir / "xv.npy") + " --val-labels " +
     q(dir / "yv.npy") + " --hidden 16 --lr 0.01 --epochs 150 -q -o " + q(model));

  json info = json_of(ok("info " + q(model) + " --json"));
  EXPECT_EQ(info.at("task"), "regression");
  EXPECT_EQ(info.at("architecture").at("sizes"), json({3, 16, 2}));
  EXPECT_TRUE(info.at("training").contains("val_loss")) << info.dump();

  Table t = table_of(ok("predict " + q(model) + " " + q(dir / "xt.npy")).out);
  ASSERT_EQ(t.header.size(), 2u);
  ASSERT_EQ(t.rows.size(), 20u);
  double se = 0;
  for (std::size_t i = 0; i < 20; ++i)
    for (int k = 0; k < 2; ++k) se += std::pow(to_double(t.rows[i][k]) - yte[i][k], 2);
  json j = json_of(ok("eval " + q(model) + " " + q(dir / "xt.npy") + " --labels " + q(dir / "yt.npy") + " --json"));
  EXPECT_NEAR(j.at("mse").get<double>(), se / 40, 1e-6);
  EXPECT_GT(j.at("r2").get<double>(), 0.9);
}

TEST(CliTrain, IdxPlainAndGzipGiveTheSameModelAndPredictions) {
  ScratchDir dir;
  // 2 x 2 uint8 "images" (so 4 features after flattening); the class is the brightest pixel's row
  // (0: top, 1: bottom) plus 2 when the image is dark overall.
  Numbers u(8);
  std::string pixels, labels;
  std::vector<std::string> truth;
  const std::uint32_t n = 150;
  for (std::uint32_t i = 0; i < n; ++i) {
    unsigned char p[4];
    int sum = 0;
    for (auto& v : p) v = static_cast<unsigned char>((u.next() + 1) * 127.5), sum += v;
    int brightest = static_cast<int>(std::max_element(p, p + 4) - p);
    int label = brightest / 2 + (sum < 510 ? 2 : 0);
    pixels.append(reinterpret_cast<const char*>(p), 4);
    labels += static_cast<char>(label);
    truth.push_back(std::to_string(label));
  }
  std::string images = mlp_test::idx_bytes(0x08, {n, 2, 2}, pixels), label_file = mlp_test::idx_bytes(0x08, {n}, labels);
  write_file(dir / "images.idx", images);
  write_file(dir / "labels.idx", label_file);
  mlp_test::write_gzip(dir / "images.idx.gz", images);
  mlp_test::write_gzip(dir / "labels.idx.gz", label_file);
  ASSERT_NE(mlp_test::read_text(dir / "images.idx.gz"), images);

  const std::string opts = " --hidden 16 --lr 0.02 --epochs 60 --seed 3 -q -o ";
  ok("train " + q(dir / "images.idx") + " --labels " + q(dir / "labels.idx") + opts + q(dir / "plain.st"));
  ok("train " + q(dir / "images.idx.gz") + " --labels " + q(dir / "labels.idx.gz") + opts + q(dir / "gz.st"));

  json info = json_of(ok("info " + q(dir / "plain.st") + " --json"));
  EXPECT_EQ(info.at("architecture").at("sizes"), json({4, 16, 4}));
  EXPECT_EQ(info.at("classes"), json({"0", "1", "2", "3"}));

  std::string from_plain = ok("predict " + q(dir / "plain.st") + " " + q(dir / "images.idx")).out;
  EXPECT_EQ(ok("predict " + q(dir / "plain.st") + " " + q(dir / "images.idx.gz")).out, from_plain);
  EXPECT_EQ(ok("predict " + q(dir / "gz.st") + " " + q(dir / "images.idx")).out, from_plain)
      << "the same data, plain or gzip, and the same seed must train the same model";
  Table t = table_of(from_plain);
  ASSERT_EQ(t.header, (std::vector<std::string>{"class", "prob_0", "prob_1", "prob_2", "prob_3"}));
  double acc = accuracy_of(t, truth);
  EXPECT_GT(acc, 0.85);
  json j = json_of(ok("eval " + q(dir / "gz.st") + " " + q(dir / "images.idx.gz") + " --labels " + q(dir / "labels.idx.gz") +
                      " --json"));
  EXPECT_NEAR(j.at("accuracy").get<double>(), acc, 1e-12);
  EXPECT_EQ(j.at("samples").get<int>(), static_cast<int>(n));
}

// --init-from an mlp model: its architecture and weights; with a learning rate too small to move a
// float, the new model predicts what the old one did.
TEST(CliTrain, InitFromAModelStartsFromItsWeightsAndArchitecture) {
  ScratchDir dir;
  const std::string data = dir / "data.csv";
  write_file(data, mlp_test::csv_text(kLinearHeader, linear_rows(40, 9)));
  const std::string base = " --target y1,y2 --val-split 0 -q ";
  ok("train " + q(data) + base + "--hidden 5,4 --activation tanh --epochs 20 --lr 0.01 -o " + q(dir / "a.st"));
  const std::string still = base + "--optimizer sgd --lr 1e-30 --epochs 1 ";
  // --init, the former name of --init-from, still works and says so.
  const CommandResult deprecated = ok("train " + q(data) + still + "--init " + q(dir / "a.st") + " -o " + q(dir / "b.st"));
  EXPECT_NE(deprecated.err.find("mlp: notice: --init is deprecated; it is now --init-from"), std::string::npos)
      << deprecated.err;
  ok("train " + q(data) + still + "--hidden 5,4 --activation tanh -o " + q(dir / "c.st"));

  json b = json_of(ok("info " + q(dir / "b.st") + " --json"));
  EXPECT_EQ(b.at("architecture").at("sizes"), json({3, 5, 4, 2})) << "the architecture comes from --init-from";
  EXPECT_EQ(b.at("architecture").at("hidden_activations"), json({"tanh"}));  // one name for every hidden layer

  Table pa = table_of(ok("predict " + q(dir / "a.st") + " " + q(data)).out);
  Table pb = table_of(ok("predict " + q(dir / "b.st") + " " + q(data)).out);
  Table pc = table_of(ok("predict " + q(dir / "c.st") + " " + q(data)).out);
  ASSERT_EQ(pa.rows.size(), 40u);
  ASSERT_EQ(pb.rows.size(), 40u);
  ASSERT_EQ(pc.rows.size(), 40u);
  double max_ab = 0, max_ac = 0;
  for (std::size_t i = 0; i < 40; ++i)
    for (int k = 0; k < 2; ++k) {
      max_ab = std::max(max_ab, std::fabs(to_double(pa.rows[i][k]) - to_double(pb.rows[i][k])));
      max_ac = std::max(max_ac, std::fabs(to_double(pa.rows[i][k]) - to_double(pc.rows[i][k])));
    }
  EXPECT_LT(max_ab, 1e-5) << "--init-from did not carry the weights over";
  EXPECT_GT(max_ac, 1e-2) << "without --init-from the model should differ (the test would prove nothing)";
}

TEST(CliTrain, ValidationFileFeedsHistoryAndTheSavedModel) {
  ScratchDir dir;
  auto write = [&](const std::string& path, std::size_t n, std::uint64_t seed) {
    Rows rows;
    for (const auto& [x, k] : argmax_rows(n, seed)) rows.push_back({x[0], x[1], x[2], static_cast<double>(k)});
    write_file(path, mlp_test::csv_text({"a", "b", "c", "k"}, rows));
  };
  write(dir / "train.csv", 90, 10);
  write(dir / "val.csv", 30, 11);
  const std::string model = dir / "m.st", history = dir / "h.csv";
  ok("train " + q(dir / "train.csv") + " --val " + q(dir / "val.csv") +
     " --hidden 8 --lr 0.02 --epochs 6 --early-stopping 0 -q --history " + q(history) + " -o " + q(model));
  Table h = table_of(mlp_test::read_text(history));
  ASSERT_EQ(h.rows.size(), 6u);
  auto col = [&](const std::string& name) {
    auto it = std::find(h.header.begin(), h.header.end(), name);
    EXPECT_NE(it, h.header.end()) << name;
    return static_cast<std::size_t>(it - h.header.begin());
  };
  std::size_t val_loss = col("val_loss"), val_acc = col("val_accuracy");
  ASSERT_LT(val_acc, h.header.size());
  for (const auto& row : h.rows) {
    ASSERT_EQ(row.size(), h.header.size());
    EXPECT_FALSE(row[val_loss].empty());
  }
  // Without early stopping the saved model is the last epoch's: its accuracy on the validation
  // file is the history's last val_accuracy, and its log loss the last val_loss.
  json j = json_of(ok("eval " + q(model) + " " + q(dir / "val.csv") + " --json"));
  EXPECT_NEAR(j.at("accuracy").get<double>(), to_double(h.rows.back()[val_acc]), 1e-9);
  EXPECT_NEAR(j.at("loss").get<double>(), to_double(h.rows.back()[val_loss]), 1e-5);
}

// Noise targets: validation loss soon stops improving; training stops `patience` epochs after the
// best one and the saved weights are the best epoch's.
TEST(CliTrain, EarlyStoppingStopsAndKeepsTheBestEpoch) {
  ScratchDir dir;
  Numbers u(12);
  auto noise = [&](std::size_t n) {
    Rows rows;
    for (std::size_t i = 0; i < n; ++i) rows.push_back({u.next(), u.next(), u.next() * 3});
    return rows;
  };
  write_file(dir / "train.csv", mlp_test::csv_text({"a", "b", "y"}, noise(40)));
  write_file(dir / "val.csv", mlp_test::csv_text({"a", "b", "y"}, noise(20)));
  const std::string model = dir / "m.st", history = dir / "h.csv";
  CommandResult r = ok("train " + q(dir / "train.csv") + " --task regression --val " + q(dir / "val.csv") +
                       " --hidden 32 --lr 0.05 --epochs 300 --early-stopping 3 --history " + q(history) + " -o " + q(model));
  EXPECT_NE(r.err.find("stopped early"), std::string::npos) << r.err;
  Table h = table_of(mlp_test::read_text(history));
  const std::size_t run = h.rows.size();
  ASSERT_GT(run, 3u);
  ASSERT_LT(run, 300u);
  json info = json_of(ok("info " + q(model) + " --json"));
  const json& t = info.at("training");
  EXPECT_EQ(t.at("epochs_run").get<std::size_t>(), run);
  EXPECT_EQ(t.at("epochs_requested").get<std::size_t>(), 300u);
  const std::size_t best = t.at("best_epoch").get<std::size_t>();
  EXPECT_EQ(best, run - 3);

  auto col = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(h.header.begin(), h.header.end(), name) - h.header.begin());
  };
  const std::size_t vl = col("val_loss"), vmse = col("val_mse");
  ASSERT_LT(vmse, h.header.size());
  double best_loss = to_double(h.rows[best - 1][vl]);
  for (std::size_t e = 0; e < run; ++e) EXPECT_GE(to_double(h.rows[e][vl]), best_loss - 1e-4) << "epoch " << e + 1;
  // The saved weights are the best epoch's: eval on the validation file gives its val_mse.
  json j = json_of(ok("eval " + q(model) + " " + q(dir / "val.csv") + " --json"));
  double want = to_double(h.rows[best - 1][vmse]);
  EXPECT_NEAR(j.at("mse").get<double>(), want, 1e-5 * want);
}

TEST(CliTrain, HistoryHasOneRowPerEpochWithItsColumns) {
  ScratchDir dir;
  write_file(dir / "d.csv", mlp_test::csv_text(kLinearHeader, linear_rows(40, 13)));
  const std::string h1 = dir / "h1.csv", h2 = dir / "h2.csv";
  ok("train " + q(dir / "d.csv") + " --target y1,y2 --hidden 4 --epochs 7 --early-stopping 0 --val-split 0 --lr 0.003 -q"
     " --history " + q(h1) + " -o " + q(dir / "m.st"));
  Table t = table_of(mlp_test::read_text(h1));
  ASSERT_GE(t.header.size(), 5u);
  EXPECT_EQ(std::vector<std::string>(t.header.begin(), t.header.begin() + 5),
            (std::vector<std::string>{"epoch", "seconds", "lr", "train_loss", "val_loss"}));
  ASSERT_EQ(t.rows.size(), 7u);
  for (std::size_t e = 0; e < 7; ++e) {
    ASSERT_EQ(t.rows[e].size(), t.header.size()) << "row " << e;
    EXPECT_EQ(t.rows[e][0], std::to_string(e + 1));
    EXPECT_GE(to_double(t.rows[e][1]), 0.0);
    EXPECT_DOUBLE_EQ(to_double(t.rows[e][2]), 0.003);
    EXPECT_GT(to_double(t.rows[e][3]), 0.0);
    EXPECT_TRUE(t.rows[e][4].empty()) << "no validation, no val_loss";
  }

  // With a validation split: val_loss and the regression metrics each epoch.
  ok("train " + q(dir / "d.csv") + " --target y1,y2 --hidden 4 --epochs 3 --early-stopping 0 --val-split 0.25 -q"
     " --history " + q(h2) + " -o " + q(dir / "m.st"));
  t = table_of(mlp_test::read_text(h2));
  ASSERT_EQ(t.rows.size(), 3u);
  for (const char* name : {"val_mse", "val_rmse", "val_mae", "val_r2"})
    EXPECT_NE(std::find(t.header.begin(), t.header.end(), name), t.header.end()) << name;
  for (const auto& row : t.rows) {
    ASSERT_EQ(row.size(), t.header.size());
    for (std::size_t c = 3; c < row.size(); ++c) EXPECT_FALSE(row[c].empty()) << t.header[c];
  }
}

TEST(CliTrain, PlotWritesAnSvgWithTheCurves) {
  ScratchDir dir;
  write_file(dir / "d.csv", mlp_test::csv_text(kLinearHeader, linear_rows(40, 14)));
  const std::string svg = dir / "curves.svg";
  ok("train " + q(dir / "d.csv") + " --target y1 --hidden 4 --epochs 5 --val-split 0.25 -q --plot " + q(svg) + " -o " +
     q(dir / "m.st"));
  std::string text = mlp_test::read_text(svg);
  ASSERT_FALSE(text.empty());
  EXPECT_TRUE(text.rfind("<svg", 0) == 0 || text.rfind("<?xml", 0) == 0) << text.substr(0, 80);
  EXPECT_NE(text.find("</svg>"), std::string::npos);
  std::size_t lines = 0;
  for (std::size_t p = text.find("<polyline"); p != std::string::npos; p = text.find("<polyline", p + 1)) ++lines;
  EXPECT_GE(lines, 2u) << "train and validation loss";
}

TEST(CliTrain, QuietPrintsNothing) {
  ScratchDir dir;
  write_file(dir / "d.csv", mlp_test::csv_text(kLinearHeader, linear_rows(30, 15)));
  CommandResult r = mlp("train " + q(dir / "d.csv") + " --hidden 4 --epochs 3 --quiet -o " + q(dir / "m.st"));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(mlp_test::file_exists(dir / "m.st"));
}

TEST(CliTrain, ProgressIsOneLinePerEpochWhenStderrIsNotATerminal) {
  ScratchDir dir;
  write_file(dir / "d.csv", mlp_test::csv_text(kLinearHeader, linear_rows(100, 16)));
  // 100 rows in batches of 8: many batches, still one line per epoch (no progress bar).
  CommandResult r = ok("train " + q(dir / "d.csv") + " --hidden 4 --epochs 4 --batch-size 8 --early-stopping 0 -o " +
                       q(dir / "m.st"));
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.find('\r'), std::string::npos) << "a progress bar went to a file";
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << "terminal escapes went to a file";
  std::vector<std::string> epoch_lines;
  std::size_t start = 0;
  while (start < r.err.size()) {
    std::size_t end = r.err.find('\n', start);
    if (end == std::string::npos) end = r.err.size();
    std::string line = r.err.substr(start, end - start);
    if (line.rfind("epoch ", 0) == 0) epoch_lines.push_back(line);
    start = end + 1;
  }
  ASSERT_EQ(epoch_lines.size(), 4u) << r.err;
  for (std::size_t e = 0; e < 4; ++e) EXPECT_EQ(epoch_lines[e].rfind("epoch " + std::to_string(e + 1) + "/4 ", 0), 0u) << epoch_lines[e];
  EXPECT_NE(r.err.find(dir / "m.st"), std::string::npos) << "the summary says where the model went";
}

// On a terminal, each epoch redraws one progress line ("\r\033[K...") and ends it with the epoch's
// summary. script(1) (util-linux, in every Debian) gives the command a pseudo-terminal.
TEST(CliTrain, ProgressBarRedrawsOneLineOnATerminal) {
  if (mlp_test::run_command("script -q -e -c true /dev/null").status != 0)
    GTEST_SKIP() << "script(1) cannot open a pseudo-terminal here";
  ScratchDir dir;
  write_file(dir / "d.csv", mlp_test::csv_text(kLinearHeader, linear_rows(100, 16)));
  const std::string train = std::string(MLP_BINARY) + " train " + q(dir / "d.csv") +
                            " --hidden 4 --epochs 2 --batch-size 8 --val-split 0 --early-stopping 0 -o " + q(dir / "m.st");
  CommandResult r = mlp_test::run_command("script -q -e -c " + q(train) + " /dev/null");
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  const std::string& t = r.out;  // the terminal's bytes: stdout and stderr together
  EXPECT_NE(t.find("\r\x1b[Kepoch 1/2 ["), std::string::npos) << t;
  // A full bar at the last batch; the loss of standardized regression targets says so.
  const std::size_t last = t.find("] 13/13 loss(std) ");
  ASSERT_NE(last, std::string::npos) << t;
  const std::size_t open = t.rfind('[', last);
  ASSERT_NE(open, std::string::npos);
  EXPECT_EQ(t.substr(open + 1, last - open - 1), std::string(last - open - 1, '#')) << t.substr(open, last - open + 1);
  EXPECT_NE(t.find("\r\x1b[Kepoch 2/2 "), std::string::npos) << t;
  EXPECT_NE(t.find(" rows/s "), std::string::npos) << t;
  EXPECT_NE(t.find(" ETA "), std::string::npos) << t;
  // In a 50-column terminal no redrawn line is wider than 49 columns (none wraps).
  CommandResult narrow = mlp_test::run_command("script -q -e -c " + q("stty cols 50; " + train) + " /dev/null");
  ASSERT_EQ(narrow.status, 0) << narrow.out << narrow.err;
  std::size_t draws = 0;
  for (std::size_t at = narrow.out.find("\r\x1b[K"); at != std::string::npos; at = narrow.out.find("\r\x1b[K", at + 1)) {
    const std::size_t start = at + 4;
    const std::size_t end = narrow.out.find_first_of("\r\n", start);
    const std::string line = narrow.out.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (line.rfind("epoch", 0) != 0 || line.find("/13 ") == std::string::npos) continue;  // bar lines only
    ++draws;
    EXPECT_LE(line.size(), 49u) << line;
    EXPECT_NE(line.find(" ETA "), std::string::npos) << line;  // what is dropped is the speed, not the ETA
  }
  EXPECT_GT(draws, 0u) << narrow.out;
  // -q draws nothing, terminal or not.
  CommandResult quiet = mlp_test::run_command("script -q -e -c " + q(train + " -q") + " /dev/null");
  ASSERT_EQ(quiet.status, 0) << quiet.out << quiet.err;
  EXPECT_EQ(quiet.out.find("epoch"), std::string::npos) << quiet.out;
}

TEST(CliTrain, PredictWritesToStdoutOrToAFile) {
  ScratchDir dir;
  write_file(dir / "d.csv", mlp_test::csv_text(kLinearHeader, linear_rows(30, 17)));
  ok("train " + q(dir / "d.csv") + " --hidden 4 --epochs 3 -q -o " + q(dir / "m.st"));
  CommandResult to_stdout = ok("predict " + q(dir / "m.st") + " " + q(dir / "d.csv"));
  CommandResult to_file = ok("predict " + q(dir / "m.st") + " " + q(dir / "d.csv") + " -o " + q(dir / "p.csv"));
  EXPECT_EQ(to_file.out, "");
  EXPECT_EQ(to_file.err, "");
  EXPECT_EQ(mlp_test::read_text(dir / "p.csv"), to_stdout.out);
  Table t = table_of(to_stdout.out);
  EXPECT_EQ(t.header, std::vector<std::string>{"y2"});  // the default target: the last column
  EXPECT_EQ(t.rows.size(), 30u);
}

TEST(CliTrain, PredictAndEvalTakeTheThreadSetting) {
  ScratchDir dir;
  write_file(dir / "d.csv", mlp_test::csv_text(kLinearHeader, linear_rows(300, 23)));
  ok("train " + q(dir / "d.csv") + " --hidden 16 --epochs 3 -q -o " + q(dir / "m.st"));
  Table one = table_of(ok("predict " + q(dir / "m.st") + " " + q(dir / "d.csv") + " --threads 1").out);
  Table two = table_of(ok("predict " + q(dir / "m.st") + " " + q(dir / "d.csv") + " --threads 2").out);
  ASSERT_EQ(one.rows.size(), 300u);
  ASSERT_EQ(two.rows.size(), 300u);
  for (std::size_t r = 0; r < one.rows.size(); ++r)
    EXPECT_NEAR(std::stod(one.rows[r][0]), std::stod(two.rows[r][0]), 1e-5 * (1 + std::fabs(std::stod(two.rows[r][0]))));
  EXPECT_EQ(json_of(ok("eval " + q(dir / "m.st") + " " + q(dir / "d.csv") + " --threads 1 --json"))["samples"], 300);
  for (const char* command : {"predict", "eval"}) {
    CommandResult bad = mlp(std::string(command) + " " + q(dir / "m.st") + " " + q(dir / "d.csv") + " --threads -1");
    EXPECT_NE(bad.status, 0) << command;
    EXPECT_NE(bad.err.find("--threads must be at least 1"), std::string::npos) << bad.err;
  }
}

TEST(CliTrain, TaskIsInferredOrOverridden) {
  ScratchDir dir;
  Numbers u(18);
  Rows whole, halves;
  for (int i = 0; i < 40; ++i) {
    double a = u.next(), b = u.next();
    whole.push_back({a, b, static_cast<double>(i % 5)});
    halves.push_back({a, b, (i % 3) + 0.5});
  }
  write_file(dir / "whole.csv", mlp_test::csv_text({"a", "b", "y"}, whole));
  write_file(dir / "halves.csv", mlp_test::csv_text({"a", "b", "y"}, halves));
  const std::string opts = " --hidden 4 --epochs 2 -q -o ";
  auto task_of = [&](const std::string& model) { return json_of(ok("info " + q(model) + " --json")); };

  ok("train " + q(dir / "whole.csv") + opts + q(dir / "auto.st"));
  json a = task_of(dir / "auto.st");
  EXPECT_EQ(a.at("task"), "classification") << "5 distinct whole numbers";
  EXPECT_EQ(a.at("classes"), json({"0", "1", "2", "3", "4"}));

  ok("train " + q(dir / "whole.csv") + " --task regression" + opts + q(dir / "reg.st"));
  json r = task_of(dir / "reg.st");
  EXPECT_EQ(r.at("task"), "regression");
  EXPECT_EQ(r.at("architecture").at("sizes").back(), 1);
  EXPECT_EQ(table_of(ok("predict " + q(dir / "reg.st") + " " + q(dir / "whole.csv")).out).header,
            std::vector<std::string>{"y"});

  ok("train " + q(dir / "halves.csv") + opts + q(dir / "halves_auto.st"));
  EXPECT_EQ(task_of(dir / "halves_auto.st").at("task"), "regression") << "not whole numbers";
  ok("train " + q(dir / "halves.csv") + " --task classification" + opts + q(dir / "halves_cls.st"));
  json c = task_of(dir / "halves_cls.st");
  EXPECT_EQ(c.at("task"), "classification");
  EXPECT_EQ(c.at("classes"), json({"0.5", "1.5", "2.5"}));
}

TEST(CliTrain, TargetByNameByIndexAndSeveral) {
  ScratchDir dir;
  const std::string data = dir / "d.csv";
  write_file(data, mlp_test::csv_text(kLinearHeader, linear_rows(40, 19)));
  const std::string opts = " --hidden 4 --epochs 5 --seed 4 -q -o ";
  ok("train " + q(data) + " --target y1" + opts + q(dir / "name.st"));
  ok("train " + q(data) + " --target 3" + opts + q(dir / "index.st"));
  ok("train " + q(data) + " --target y1,y2" + opts + q(dir / "names.st"));
  ok("train " + q(data) + " --target 3,4" + opts + q(dir / "indices.st"));
  ok("train " + q(data) + " --target 0" + opts + q(dir / "first.st"));

  auto info = [&](const std::string& m) { return json_of(ok("info " + q(dir / m) + " --json")); };
  EXPECT_EQ(info("name.st").at("targets"), json({"y1"}));
  EXPECT_EQ(info("name.st").at("features"), json({"a", "b", "c", "y2"}));
  EXPECT_EQ(info("index.st").at("targets"), json({"y1"}));
  EXPECT_EQ(info("names.st").at("targets"), json({"y1", "y2"}));
  EXPECT_EQ(info("names.st").at("features"), json({"a", "b", "c"}));
  EXPECT_EQ(info("first.st").at("targets"), json({"a"}));
  EXPECT_EQ(info("first.st").at("features"), json({"b", "c", "y1", "y2"}));

  auto predict = [&](const std::string& m) { return ok("predict " + q(dir / m) + " " + q(data)).out; };
  EXPECT_EQ(predict("name.st"), predict("index.st")) << "the same column by name or index, the same seed";
  EXPECT_EQ(predict("names.st"), predict("indices.st"));
  EXPECT_EQ(table_of(predict("first.st")).header, std::vector<std::string>{"a"});
}

TEST(CliTrain, DtypeF64TrainsAndPredictsLikeF32) {
  ScratchDir dir;
  const std::string data = dir / "d.csv";
  write_file(data, mlp_test::csv_text(kLinearHeader, linear_rows(40, 20)));
  const std::string opts = " --target y1,y2 --hidden 6 --epochs 5 --val-split 0 -q -o ";
  ok("train " + q(data) + opts + q(dir / "f32.st"));
  ok("train " + q(data) + " --dtype f64" + opts + q(dir / "f64.st"));
  json i32 = json_of(ok("info " + q(dir / "f32.st") + " --json"));
  json i64 = json_of(ok("info " + q(dir / "f64.st") + " --json"));
  EXPECT_EQ(i32.at("dtype"), "F32");
  EXPECT_EQ(i64.at("dtype"), "F64");
  EXPECT_EQ(i64.at("parameters"), i32.at("parameters"));
  Table p32 = table_of(ok("predict " + q(dir / "f32.st") + " " + q(data)).out);
  Table p64 = table_of(ok("predict " + q(dir / "f64.st") + " " + q(data)).out);
  ASSERT_EQ(p32.rows.size(), p64.rows.size());
  double max_diff = 0;
  bool identical = true;
  for (std::size_t i = 0; i < p32.rows.size(); ++i)
    for (std::size_t k = 0; k < 2; ++k) {
      max_diff = std::max(max_diff, std::fabs(to_double(p32.rows[i][k]) - to_double(p64.rows[i][k])));
      identical &= p32.rows[i][k] == p64.rows[i][k];
    }
  EXPECT_LT(max_diff, 1e-3) << "the same training in double precision";
  EXPECT_FALSE(identical) << "f64 predictions print more digits than float holds";
}

// --dtype bf16 trains the float32 model with bfloat16 products: a float32 file, the training record
// says bf16, the predictions are close to float32 training's but not the same.
TEST(CliTrain, DtypeBf16TrainsAFloat32ModelWithBf16Products) {
  if (!mlp::bf16_products()) GTEST_SKIP() << "no native bfloat16 products on this CPU (the fallback test covers it)";
  ScratchDir dir;
  const std::string data = dir / "d.csv";
  write_file(data, mlp_test::csv_text(kLinearHeader, linear_rows(200, 23)));
  const std::string opts = " --target y1,y2 --hidden 64 --epochs 5 --val-split 0 -o ";
  ok("train " + q(data) + opts + q(dir / "f32.st"));
  CommandResult bf16 = ok("train " + q(data) + " --dtype bf16" + opts + q(dir / "bf16.st"));
  EXPECT_EQ(bf16.err.find("notice"), std::string::npos) << bf16.err;
  json info = json_of(ok("info " + q(dir / "bf16.st") + " --json"));
  EXPECT_EQ(info.at("dtype"), "F32");
  EXPECT_EQ(info.at("training").at("dtype"), "bf16");
  Table p32 = table_of(ok("predict " + q(dir / "f32.st") + " " + q(data)).out);
  Table p16 = table_of(ok("predict " + q(dir / "bf16.st") + " " + q(data)).out);
  ASSERT_EQ(p32.rows.size(), p16.rows.size());
  double max_diff = 0;
  for (std::size_t i = 0; i < p32.rows.size(); ++i)
    for (std::size_t k = 0; k < 2; ++k)
      max_diff = std::max(max_diff, std::fabs(to_double(p32.rows[i][k]) - to_double(p16.rows[i][k])));
  EXPECT_GT(max_diff, 0.0) << "bfloat16 products change the arithmetic";
  EXPECT_LT(max_diff, 0.05) << "but not the model";
}

// Where oneDNN finds no avx512_bf16 (DNNL_MAX_CPU_ISA hides it here, as an older CPU would),
// --dtype bf16 says so in one line and trains exactly as --dtype f32 does.
TEST(CliTrain, DtypeBf16FallsBackToFloat32WithANotice) {
  ScratchDir dir;
  const std::string data = dir / "d.csv";
  write_file(data, mlp_test::csv_text(kLinearHeader, linear_rows(200, 23)));
  const std::string env = "DNNL_MAX_CPU_ISA=AVX512_CORE ONEDNN_MAX_CPU_ISA=AVX512_CORE ";
  const std::string opts = " --target y1,y2 --hidden 64 --epochs 5 --val-split 0 -q -o ";
  CommandResult f32 = mlp_test::run_command(env + MLP_BINARY + " train " + q(data) + opts + q(dir / "f32.st"));
  CommandResult bf16 = mlp_test::run_command(env + MLP_BINARY + " train " + q(data) + " --dtype bf16" + opts + q(dir / "bf16.st"));
  ASSERT_EQ(f32.status, 0) << f32.err;
  ASSERT_EQ(bf16.status, 0) << bf16.err;
  EXPECT_EQ(f32.err, "");
  EXPECT_EQ(mlp_test::count_lines(bf16.err), 1) << bf16.err;
  EXPECT_NE(bf16.err.find("mlp: notice: --dtype bf16: no bfloat16 products on this CPU"), std::string::npos) << bf16.err;
  json info = json_of(ok("info " + q(dir / "bf16.st") + " --json"));
  EXPECT_EQ(info.at("training").at("dtype"), "f32");
  EXPECT_EQ(ok("predict " + q(dir / "bf16.st") + " " + q(data)).out, ok("predict " + q(dir / "f32.st") + " " + q(data)).out)
      << "the fallback is float32 training itself";
}

TEST(CliTrain, CsvWithBomCrlfQuotesAndNoFinalNewlineTrainsLikePlainCsv) {
  ScratchDir dir;
  Rows rows = linear_rows(30, 21);
  std::string plain = "\"a b\",\"c,d\",e,y\n", fancy = "\xEF\xBB\xBF\"a b\",\"c,d\",e,\"y\"\r\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::vector<std::string> v;
    for (double x : rows[i]) v.push_back(mlp::format_repr(x));
    plain += v[0] + "," + v[1] + "," + v[2] + "," + v[3] + "\n";
    fancy += "\"" + v[0] + "\", " + v[1] + " ," + v[2] + ",\"" + v[3] + "\"" + (i + 1 < rows.size() ? "\r\n" : "");
  }
  write_file(dir / "plain.csv", plain);
  write_file(dir / "fancy.csv", fancy);
  const std::string opts = " --hidden 4 --epochs 4 --seed 2 -q -o ";
  ok("train " + q(dir / "plain.csv") + opts + q(dir / "plain.st"));
  ok("train " + q(dir / "fancy.csv") + opts + q(dir / "fancy.st"));
  json info = json_of(ok("info " + q(dir / "fancy.st") + " --json"));
  EXPECT_EQ(info.at("features"), json({"a b", "c,d", "e"})) << "the BOM is not part of the first name";
  EXPECT_EQ(info.at("targets"), json({"y"}));
  // Each model reads the other's file by column names; both give the same predictions.
  std::string p = ok("predict " + q(dir / "plain.st") + " " + q(dir / "plain.csv")).out;
  EXPECT_EQ(ok("predict " + q(dir / "fancy.st") + " " + q(dir / "fancy.csv")).out, p);
  EXPECT_EQ(ok("predict " + q(dir / "plain.st") + " " + q(dir / "fancy.csv")).out, p);
  EXPECT_EQ(table_of(p).rows.size(), 30u);
}

// The help line of `option` in `help`, or "" when there is none.
std::string help_line(const std::string& help, const std::string& option) {
  std::size_t start = 0;
  while (start < help.size()) {
    std::size_t end = help.find('\n', start);
    if (end == std::string::npos) end = help.size();
    std::string line = help.substr(start, end - start);
    std::size_t at = line.find(option);
    if (at != std::string::npos) {
      char next = at + option.size() < line.size() ? line[at + option.size()] : ' ';
      if (!std::isalnum(static_cast<unsigned char>(next)) && next != '-' && next != '_') return line;
    }
    start = end + 1;
  }
  return "";
}

TEST(CliTrain, HelpListsEveryOptionWithItsDefault) {
  struct Expect {
    std::string option, default_value;  // "" when the option has no default to show
  };
  const std::vector<Expect> train = {
      {"--output", ""},          {"--target", ""},           {"--labels", ""},
      {"--delimiter", ","},      {"--task", ""},             {"--hidden", "100"},
      {"--activation", "relu"},  {"--output-activation", ""}, {"--loss", ""},
      {"--optimizer", "adam"},   {"--lr", ""},               {"--momentum", "0"},
      {"--nesterov", ""},        {"--weight-decay", ""},     {"--dropout", "0"},
      {"--batch-norm", ""},      {"--schedule", "none"},     {"--warmup", "0"},
      {"--batch-size", "32"},    {"--epochs", "100"},        {"--seed", "0"},
      {"--no-shuffle", ""},      {"--val", ""},              {"--val-labels", ""},
      {"--val-split", ""},       {"--early-stopping", "10"}, {"--scale", "standard"},
      {"--init", ""},            {"--init-from", ""},        {"--initializer", "default"}, {"--dtype", "f32"},
      {"--threads", ""},         {"--clip-grad-norm", "0"},  {"--clip-norm", "0"},       {"--history", ""},
      {"--plot", ""},            {"--quiet", ""}};
  CommandResult r = ok("train --help");
  for (const auto& e : train) {
    std::string line = help_line(r.out, e.option);
    EXPECT_FALSE(line.empty()) << e.option << " is not in train --help";
    if (!e.default_value.empty()) {
      EXPECT_NE(line.find(e.default_value), std::string::npos) << line;
    }
  }
  // The defaults with the numbers the issue names, exactly.
  EXPECT_NE(help_line(r.out, "--batch-size").find("32"), std::string::npos);
  EXPECT_NE(help_line(r.out, "--epochs").find("100"), std::string::npos);

  for (const std::string cmd : {"predict", "eval", "info"}) {
    CommandResult h = ok(cmd + " --help");
    EXPECT_NE(h.out.find("model"), std::string::npos) << cmd;
    if (cmd != "info") {
      EXPECT_NE(help_line(h.out, "--delimiter").find(','), std::string::npos) << cmd;
      EXPECT_NE(help_line(h.out, "--no-header"), "") << cmd;
      // predict reads no labels, so it has no label options (it once took and ignored them).
      EXPECT_EQ(help_line(h.out, "--target").empty(), cmd == "predict") << cmd;
      EXPECT_EQ(help_line(h.out, "--labels").empty(), cmd == "predict") << cmd;
    }
    if (cmd == "predict") {
      EXPECT_FALSE(help_line(h.out, "--output").empty());
    } else {
      EXPECT_FALSE(help_line(h.out, "--json").empty()) << cmd;
    }
  }
}

TEST(CliTrain, InfoDescribesTheModelAsTextAndJson) {
  ScratchDir dir;
  write_file(dir / "d.csv", mlp_test::csv_text(kLinearHeader, linear_rows(30, 22)));
  const std::string model = dir / "m.st";
  ok("train " + q(dir / "d.csv") + " --target y1,y2 --hidden 5 --epochs 2 -q -o " + q(model));
  // 3 inputs, 5 hidden, 2 outputs: 3*5 + 5 + 5*2 + 2 = 32 parameters.
  json j = json_of(ok("info " + q(model) + " --json"));
  EXPECT_EQ(j.at("parameters").get<int>(), 32);
  EXPECT_EQ(j.at("architecture").at("sizes"), json({3, 5, 2}));
  EXPECT_EQ(j.at("task"), "regression");
  EXPECT_EQ(j.at("loss"), "mse");
  EXPECT_EQ(j.at("features"), json({"a", "b", "c"}));
  EXPECT_EQ(j.at("targets"), json({"y1", "y2"}));
  EXPECT_EQ(j.at("preprocessing").at("scale"), "standard");
  EXPECT_EQ(j.at("training").at("epochs_requested").get<int>(), 2);

  CommandResult text = ok("info " + q(model));
  EXPECT_NE(text.out.find("3-5-2"), std::string::npos) << text.out;
  std::string params = help_line(text.out, "parameters");
  EXPECT_NE(params.find("32"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("regression"), std::string::npos);
  EXPECT_NE(text.out.find("standard"), std::string::npos);
}

}  // namespace
