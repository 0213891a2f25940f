// End-to-end tests of bad input to `mlp train/predict/eval/info`: each error is one line on stderr
// naming the file (and line:column for CSV content), with a non-zero status and no signal, and a
// failed run leaves an existing output file (-o MODEL, -o OUT.csv) byte for byte as it was.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "cli_fixtures.h"

namespace {

using mlp_test::CommandResult;
using mlp_test::expect_one_line_error;
using mlp_test::mlp;
using mlp_test::Numbers;
using mlp_test::q;
using mlp_test::read_text;
using mlp_test::ScratchDir;
using mlp_test::write_file;
using nlohmann::json;
using Rows = std::vector<std::vector<double>>;

// a, b and y = a - 2b + 0.25 (not whole numbers: regression).
Rows regression_rows(std::size_t n, std::uint64_t seed) {
  Numbers u(seed);
  Rows rows;
  for (std::size_t i = 0; i < n; ++i) {
    double a = u.next(), b = u.next();
    rows.push_back({a, b, a - 2 * b + 0.25});
  }
  return rows;
}

// Good data and models that every test may read (never write): trained once for the suite.
class CliErrors : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    shared_ = std::make_unique<ScratchDir>("CliErrors_shared");
    const ScratchDir& s = *shared_;
    write_file(s / "good.csv", mlp_test::csv_text({"a", "b", "y"}, regression_rows(30, 1)));
    std::string cls = "a,b,k\n";
    Numbers u(2);
    for (int i = 0; i < 30; ++i) {
      double a = u.next(), b = u.next();
      cls += std::to_string(a) + "," + std::to_string(b) + "," + std::to_string(a > b ? 1 : a > -b ? 2 : 3) + "\n";
    }
    write_file(s / "cls.csv", cls);
    Rows x, y;
    for (const auto& r : regression_rows(30, 3)) x.push_back({r[0], r[1]}), y.push_back({r[2]});
    write_file(s / "x.npy", mlp_test::npy_f32(x));
    write_file(s / "y.npy", mlp_test::npy_f64(y));
    for (const auto& [args, model] : std::vector<std::pair<std::string, std::string>>{
             {q(s / "good.csv"), "reg.st"},
             {q(s / "cls.csv"), "cls.st"},
             {q(s / "x.npy") + " --labels " + q(s / "y.npy"), "npy.st"}}) {
      CommandResult r = mlp("train " + args + " --hidden 3 --epochs 2 -q -o " + q(s / model));
      ASSERT_EQ(r.status, 0) << r.err;
    }
  }
  static void TearDownTestSuite() { shared_.reset(); }

  static std::string shared(const std::string& name) { return *shared_ / name; }

  // `mlp train ARGS -o EXISTING --history H --plot P` fails with one line holding every needle;
  // EXISTING (a real model from an earlier run), H and P keep their bytes; no file appears.
  // `side_outputs` false leaves out --history and --plot (for ARGS that give their own).
  void expect_train_fails(const std::string& args, std::initializer_list<std::string> needles, bool side_outputs = true) {
    const std::string existing = dir_ / "existing.safetensors", history = dir_ / "history.csv", plot = dir_ / "plot.svg";
    const std::string before = read_text(shared("reg.st"));
    write_file(existing, before);
    write_file(history, "epoch\n1\n");
    write_file(plot, "<svg/>");
    std::set<std::string> files_before = files();
    CommandResult r = mlp("train " + args + " -o " + q(existing) +
                          (side_outputs ? " --history " + q(history) + " --plot " + q(plot) : std::string()));
    expect_one_line_error(r, needles, "train " + args);
    EXPECT_TRUE(read_text(existing) == before) << "train " << args << ": the existing model changed";
    EXPECT_EQ(read_text(history), "epoch\n1\n") << "train " << args << ": the existing history changed";
    EXPECT_EQ(read_text(plot), "<svg/>") << "train " << args << ": the existing plot changed";
    EXPECT_EQ(files(), files_before) << "train " << args << ": files appeared or went";
  }

  // `mlp predict MODEL DATA -o EXISTING.csv` fails likewise and EXISTING.csv keeps its bytes.
  void expect_predict_fails(const std::string& model, const std::string& data, std::initializer_list<std::string> needles,
                            const std::string& extra = "") {
    const std::string existing = dir_ / "existing.csv";
    const std::string before = "y\n1.5\n2.5\n";
    write_file(existing, before);
    std::set<std::string> files_before = files();
    const std::string args = q(model) + " " + q(data) + extra;
    CommandResult r = mlp("predict " + args + " -o " + q(existing));
    expect_one_line_error(r, needles, "predict " + args);
    EXPECT_EQ(read_text(existing), before) << "predict " << args << ": the existing output changed";
    EXPECT_EQ(files(), files_before) << "predict " << args << ": files appeared or went";
  }

  std::set<std::string> files() const {
    std::set<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir_.path())) names.insert(e.path().filename().string());
    return names;
  }

  // A file in this test's folder with these bytes; returns its path.
  std::string file(const std::string& name, const std::string& bytes) {
    write_file(dir_ / name, bytes);
    return dir_ / name;
  }

  ScratchDir dir_;
  static std::unique_ptr<ScratchDir> shared_;
};
std::unique_ptr<ScratchDir> CliErrors::shared_;

// Bytes that are no text: a NUL, invalid UTF-8, and no NPY, IDX or gzip magic.
const std::string kGarbage = std::string("\x01\x02garbage\x00\xff\xfe\x80\x81,\x00\x00\x09\x02\n\x7f", 21) + std::string(200, '\xC3');

// --- training data ----------------------------------------------------------------------------

TEST_F(CliErrors, TrainOnAMissingOrEmptyFile) {
  std::string missing = dir_ / "no_such.csv";
  expect_train_fails(q(missing), {missing});
  std::string empty = file("empty.csv", "");
  expect_train_fails(q(empty), {empty, "empty"});
  std::string header = file("header.csv", "a,b,y\n");
  expect_train_fails(q(header), {header, "no data rows"});
  std::string blank = file("blank.csv", "\n\n  \n");
  expect_train_fails(q(blank), {blank});
}

TEST_F(CliErrors, TrainOnRaggedRows) {
  std::string shorter = file("short.csv", "a,b,y\n1,2,3\n4,5\n7,8,9\n");
  expect_train_fails(q(shorter), {shorter + ":3:"});
  std::string longer = file("long.csv", "a,b,y\n1,2,3\n4,5,6\n7,8,9,10\n");
  expect_train_fails(q(longer), {longer + ":4:"});
}

TEST_F(CliErrors, TrainWithMissingFeatureValuesUnderMissingError) {
  std::string empty_cell = file("cell.csv", "a,b,y\n1,2,3.5\n4,5,6.5\n,8,9.5\n");
  expect_train_fails(q(empty_cell) + " --missing error", {empty_cell + ":4:1: missing value", "--missing"});
  // The first missing cell of a column; a text column too.
  std::string text = file("text.csv", "a,k,y\n1,red,3.5\n4,NA,6.5\n7,?,8.5\n");
  expect_train_fails(q(text) + " --missing error", {text + ":3:2: missing value 'NA'"});
  std::string nan = file("nan.csv", "a,b,y\n1,2,3.5\n4,5,6.5\nnan,8,9.5\n");
  expect_train_fails(q(nan) + " --missing error", {nan + ":4:1:", "missing"});
  expect_train_fails(q(nan) + " --missing nothing", {"missing-value policy", "impute, drop, error"});
}

TEST_F(CliErrors, TrainOnAColumnWithNoValues) {
  std::string empty = file("empty_column.csv", "a,b,y\n1,,3.5\n4,NA,6.5\n");
  expect_train_fails(q(empty), {empty, "'b'", "no values", "--ignore"});
}

TEST_F(CliErrors, TrainOnNanInfiniteOrOverflowingFeatures) {
  struct Case {
    std::string name, csv, where;
  };
  const std::vector<Case> cases = {
      {"inf.csv", "a,b,y\n1,2,3.5\n4,inf,6.5\n", ":3:2:"},
      {"minus_inf.csv", "a,b,y\n1,2,3.5\n-Infinity,5,6.5\n", ":3:1:"},
      {"overflow.csv", "a,b,y\n1,2,3.5\n4,1e999,6.5\n", ":3:2:"},
      {"overflow_neg.csv", "a,b,y\n-2e308,2,3.5\n4,5,6.5\n", ":2:1:"},
  };
  for (const auto& c : cases) {
    std::string path = file(c.name, c.csv);
    expect_train_fails(q(path), {path + c.where, "finite"});
  }
}

TEST_F(CliErrors, TrainOnNanInfiniteOrOverflowingRegressionTargets) {
  struct Case {
    std::string name, csv, where, extra;
  };
  const std::vector<Case> cases = {
      {"nan.csv", "a,b,y\n1,2,3.5\n4,5,nan\n7,8,9.5\n", ":3:3:", ""},
      {"inf.csv", "a,b,y\n1,2,3.5\n4,5,6.5\n7,8,inf\n", ":4:3:", ""},
      {"minus_inf.csv", "a,b,y\n1,2,-inf\n4,5,6.5\n", ":2:3:", " --task regression"},
      {"overflow.csv", "a,b,y\n1,2,3.5\n4,5,1e400\n", ":3:3:", ""},
      // Several targets: the bad cell of the second one.
      {"second.csv", "a,y1,y2\n1,2.5,3.5\n4,5.5,1e999\n", ":3:3:", " --target y1,y2"},
      // A numeric classification label that is not finite, in the first row.
      {"label.csv", "a,b,k\n1,2,nan\n4,5,1\n7,8,2\n", ":2:3:", " --task classification"},
  };
  for (const auto& c : cases) {
    std::string path = file(c.name, c.csv);
    expect_train_fails(q(path) + c.extra, {path + c.where});
  }
}

TEST_F(CliErrors, NanClassLabelAfterTheFirstRowNamesLineAndColumn) {
  // One line naming the file, the line and the column of the NaN:
  std::string label = file("label.csv", "a,b,k\n1,2,1\n4,5,nan\n7,8,2\n");
  expect_train_fails(q(label) + " --task classification", {label, "nan"});
  expect_train_fails(q(label) + " --task classification", {label + ":3:3:", "missing", "label"});
  // An empty label cell is no class of its own.
  std::string empty = file("empty.csv", "a,b,k\n1,2,cat\n4,5,\n7,8,dog\n");
  expect_train_fails(q(empty), {empty + ":3:3: missing value", "label"});
}

TEST_F(CliErrors, TrainWithAnUnknownTargetColumn) {
  std::string good = shared("good.csv");
  expect_train_fails(q(good) + " --target nope", {good, "nope"});
  expect_train_fails(q(good) + " --target 7", {good, "7"});
  expect_train_fails(q(good) + " --target y,nope", {good, "nope"});
  expect_train_fails(q(good) + " --target a,b,y", {good});  // no feature left
}

TEST_F(CliErrors, TrainOnBinaryGarbage) {
  std::string csv = file("garbage.csv", kGarbage);
  expect_train_fails(q(csv), {csv});
  std::string npy = file("garbage.npy", kGarbage);
  expect_train_fails(q(npy) + " --labels " + q(shared("y.npy")), {npy});
  std::string idx = file("garbage.idx", kGarbage);
  expect_train_fails(q(idx) + " --labels " + q(shared("y.npy")), {idx});
  std::string gz = file("garbage.gz", std::string("\x1f\x8b", 2) + kGarbage);
  expect_train_fails(q(gz) + " --labels " + q(shared("y.npy")), {gz});
  std::string labels = file("labels.npy", kGarbage);
  expect_train_fails(q(shared("x.npy")) + " --labels " + q(labels), {labels});
}

TEST_F(CliErrors, TrainOnNpyWhoseHeaderDisagreesWithItsSize) {
  Rows x = {{1, 2}, {3, 4}, {5, 6}, {7, 8}};
  std::string good = mlp_test::npy_f32(x);
  std::string truncated = file("truncated.npy", good.substr(0, good.size() - 3));
  std::string labels = file("labels.npy", mlp_test::npy_i64({0, 1, 0, 1}));
  expect_train_fails(q(truncated) + " --labels " + q(labels), {truncated});
  std::string longer = file("longer.npy", good + "\x01\x02\x03\x04");
  expect_train_fails(q(longer) + " --labels " + q(labels), {longer});
  std::string cut_header = file("cut_header.npy", good.substr(0, 30));
  expect_train_fails(q(cut_header) + " --labels " + q(labels), {cut_header});
  // The labels file is checked as strictly.
  std::string short_labels = mlp_test::npy_i64({0, 1, 0, 1});
  std::string bad_labels = file("bad_labels.npy", short_labels.substr(0, short_labels.size() - 8));
  expect_train_fails(q(file("x.npy", good)) + " --labels " + q(bad_labels), {bad_labels});
}

TEST_F(CliErrors, TrainOnIdxWhoseHeaderDisagreesWithItsSize) {
  std::string pixels(4 * 3, '\x10');
  std::string images = mlp_test::idx_bytes(0x08, {4, 3}, pixels);
  std::string labels = file("labels.idx", mlp_test::idx_bytes(0x08, {4}, std::string("\x00\x01\x00\x01", 4)));
  std::string truncated = file("truncated.idx", images.substr(0, images.size() - 2));
  expect_train_fails(q(truncated) + " --labels " + q(labels), {truncated});
  std::string longer = file("longer.idx", images + "\x05");
  expect_train_fails(q(longer) + " --labels " + q(labels), {longer});
  std::string cut_dims = file("cut_dims.idx", images.substr(0, 6));
  expect_train_fails(q(cut_dims) + " --labels " + q(labels), {cut_dims});
  // gzip: a truncated stream, and a complete stream whose IDX content is truncated.
  std::string gz = dir_ / "whole.idx.gz";
  mlp_test::write_gzip(gz, images);
  std::string zipped = read_text(gz);
  std::string cut_gzip = file("cut.idx.gz", zipped.substr(0, zipped.size() - 10));
  expect_train_fails(q(cut_gzip) + " --labels " + q(labels), {cut_gzip, "gzip"});
  std::string short_content = dir_ / "short_content.idx.gz";
  mlp_test::write_gzip(short_content, images.substr(0, images.size() - 4));
  expect_train_fails(q(short_content) + " --labels " + q(labels), {short_content});
  std::filesystem::remove(gz);
  // Labels whose count is not the number of rows.
  std::string three = file("three.idx", mlp_test::idx_bytes(0x08, {3}, std::string("\x00\x01\x00", 3)));
  expect_train_fails(q(file("images.idx", images)) + " --labels " + q(three), {three});
}

TEST_F(CliErrors, TrainWithABadValidationFile) {
  std::string good = shared("good.csv");
  std::string narrow = file("narrow.csv", "a,y\n1,4.5\n");  // columns are found by name
  expect_train_fails(q(good) + " --val " + q(narrow), {narrow, "'b'"});
  std::string ragged = file("ragged.csv", "a,b,y\n1,2,3.5\n4,5\n");
  expect_train_fails(q(good) + " --val " + q(ragged), {ragged + ":3:"});
  std::string nan = file("nan.csv", "a,b,y\n1,2,3.5\n4,nan,6.5\n");
  expect_train_fails(q(good) + " --missing error --val " + q(nan), {nan + ":3:2:", "missing"});
  std::string missing = dir_ / "missing.csv";
  expect_train_fails(q(good) + " --val " + q(missing), {missing});
  // A class the training labels do not have.
  std::string unseen = file("unseen.csv", "a,b,k\n0.5,0.5,1\n0.1,0.2,9\n");
  expect_train_fails(q(shared("cls.csv")) + " --val " + q(unseen), {unseen, "'9'"});
}

TEST_F(CliErrors, TrainWithBothValAndValSplit) {
  std::string good = shared("good.csv");
  expect_train_fails(q(good) + " --val " + q(good) + " --val-split 0.2", {"--val", "--val-split"});
}

TEST_F(CliErrors, TrainFromABadInitFile) {
  std::string good = shared("good.csv");
  std::string model = read_text(shared("reg.st"));
  std::string truncated = file("truncated.st", model.substr(0, model.size() - 4));
  expect_train_fails(q(good) + " --init-from " + q(truncated), {truncated});
  std::string garbage = file("garbage.st", kGarbage);
  expect_train_fails(q(good) + " --init-from " + q(garbage), {garbage});
  std::string missing = dir_ / "missing.st";
  expect_train_fails(q(good) + " --init-from " + q(missing), {missing});
  // A model of 2 inputs for data with 3 features.
  std::string wide = file("wide.csv", "a,b,c,y\n1,2,3,4.5\n2,3,4,5.5\n3,4,5,7.5\n");
  expect_train_fails(q(wide) + " --init-from " + q(shared("reg.st")), {shared("reg.st")});
  // Weights of the wrong shape for the architecture asked for.
  expect_train_fails(q(good) + " --hidden 7 --init-from " + q(shared("reg.st")), {shared("reg.st"), "layers.0"});
}

// Huge targets, no scaling and sgd with a huge learning rate: the loss overflows.
TEST_F(CliErrors, TrainingThatDivergesFailsNamingTheEpoch) {
  std::string csv = "a,b,y\n";
  for (int i = 0; i < 10; ++i) csv += std::to_string(i * 0.1) + "," + std::to_string(i % 3 * 0.5) + "," + std::to_string(i + 1.5) + "e30\n";
  std::string f32 = file("huge.csv", csv);
  const std::string opts = " --task regression --scale none --optimizer sgd --lr 1e6 --hidden 4 --epochs 5 -q";
  expect_train_fails(q(f32) + opts, {"epoch", "diverged"});
  std::string csv64 = "a,b,y\n";
  for (int i = 0; i < 10; ++i) csv64 += std::to_string(i * 0.1) + "," + std::to_string(i % 3 * 0.5) + "," + std::to_string(i + 1.5) + "e150\n";
  std::string f64 = file("huge64.csv", csv64);
  expect_train_fails(q(f64) + opts + " --dtype f64", {"epoch", "diverged"});

  // Without --quiet the progress comes first; the error is still the one last line.
  const std::string existing = dir_ / "existing.safetensors";
  write_file(existing, "old");
  CommandResult r = mlp("train " + q(f32) + " --task regression --scale none --optimizer sgd --lr 1e6 --hidden 4 --epochs 5 -o " +
                        q(existing));
  EXPECT_NE(r.status, 0);
  EXPECT_LT(r.status, 128);
  std::string last = r.err.substr(r.err.rfind('\n', r.err.size() - 2) + 1);
  EXPECT_EQ(last.rfind("mlp: error: ", 0), 0u) << r.err;
  EXPECT_NE(last.find("epoch"), std::string::npos) << r.err;
  EXPECT_EQ(read_text(existing), "old");
}

TEST_F(CliErrors, DivergenceMessageNamesTheDataFile) {
  std::string csv = "a,b,y\n";
  for (int i = 0; i < 10; ++i) csv += std::to_string(i) + ",1," + std::to_string(i + 1.5) + "e30\n";
  std::string huge = file("huge.csv", csv);
  expect_train_fails(q(huge) + " --task regression --scale none --optimizer sgd --lr 1e6 --hidden 4 --epochs 5 -q",
                     {huge, "epoch"});
}

TEST_F(CliErrors, EpochsZeroDoesNotCrash) {
  std::string good = shared("good.csv");
  const std::string out = dir_ / "zero.st";
  CommandResult r = mlp("train " + q(good) + " --hidden 3 --epochs 0 -o " + q(out));
  EXPECT_LT(r.status, 128) << "killed by a signal: " << r.err;
  if (r.status != 0) expect_one_line_error(r, {"--epochs"}, "--epochs 0");
}

TEST_F(CliErrors, AnUnwritableHistoryOrPlotLeavesTheModelAlone) {
  std::string good = shared("good.csv");
  std::string history = dir_ / "no_dir/h.csv", plot = dir_ / "no_dir/p.svg";
  expect_train_fails(q(good) + " --hidden 3 --epochs 2 -q --history " + q(history), {history}, false);
  expect_train_fails(q(good) + " --hidden 3 --epochs 2 -q --plot " + q(plot), {plot}, false);
}

TEST_F(CliErrors, AnUnwritableModelPathFailsInOneLine) {
  std::string good = shared("good.csv");
  std::string out = dir_ / "no_dir/m.st";
  CommandResult r = mlp("train " + q(good) + " --hidden 3 --epochs 2 -q -o " + q(out));
  expect_one_line_error(r, {out}, "train -o into a missing folder");
}

// --- model files ------------------------------------------------------------------------------

TEST_F(CliErrors, PredictWithAMissingEmptyOrTruncatedModel) {
  std::string data = shared("good.csv");
  std::string missing = dir_ / "missing.st";
  expect_predict_fails(missing, data, {missing});
  std::string model = read_text(shared("reg.st"));
  auto parts = mlp_test::split_safetensors(model);
  // Cut everywhere that matters: inside the size, right after it, inside the JSON, inside the data.
  for (std::size_t n : {std::size_t{0}, std::size_t{5}, std::size_t{8}, std::size_t{8 + parts.header_size / 2},
                        std::size_t{8 + parts.header_size}, model.size() - 1}) {
    std::string cut = file("cut_" + std::to_string(n) + ".st", model.substr(0, n));
    expect_predict_fails(cut, data, {cut});
    CommandResult info = mlp("info " + q(cut));
    expect_one_line_error(info, {cut}, "info on a model cut to " + std::to_string(n) + " bytes");
    CommandResult eval = mlp("eval " + q(cut) + " " + q(data));
    expect_one_line_error(eval, {cut}, "eval on a model cut to " + std::to_string(n) + " bytes");
  }
}

TEST_F(CliErrors, PredictWithACorruptModel) {
  std::string data = shared("good.csv");
  const std::string model = read_text(shared("reg.st"));
  auto parts = mlp_test::split_safetensors(model);
  std::string garbage = file("garbage.st", kGarbage);
  expect_predict_fails(garbage, data, {garbage});

  // A byte of the JSON header overwritten.
  std::string flipped = model;
  flipped[8] = '[';
  std::string bad_json = file("bad_json.st", flipped);
  expect_predict_fails(bad_json, data, {bad_json});
  // A header size larger than the file.
  std::string big = model;
  big[3] = '\x7f';
  std::string bad_size = file("bad_size.st", big);
  expect_predict_fails(bad_size, data, {bad_size});
  // Trailing bytes after the tensors.
  std::string trailing = file("trailing.st", model + std::string(4, '\0'));
  expect_predict_fails(trailing, data, {trailing});

  auto rewrite = [&](const std::string& name, const std::function<void(json&)>& change) {
    json h = parts.header;
    change(h);
    return file(name, mlp_test::join_safetensors(h, parts.data));
  };
  auto rewrite_mlp = [&](const std::string& name, const std::function<void(json&)>& change) {
    return rewrite(name, [&](json& h) {
      json m = json::parse(h["__metadata__"]["mlp"].get<std::string>());
      change(m);
      h["__metadata__"]["mlp"] = m.dump();
    });
  };
  // A safetensors file without an mlp description.
  std::string plain = rewrite("plain.st", [](json& h) { h.erase("__metadata__"); });
  expect_predict_fails(plain, data, {plain, "mlp"});
  // A description that is not JSON, from a newer format, or disagreeing with the tensors.
  std::string not_json = rewrite("not_json.st", [](json& h) { h["__metadata__"]["mlp"] = "{\"version\": 1, "; });
  expect_predict_fails(not_json, data, {not_json});
  std::string newer = rewrite_mlp("newer.st", [](json& m) { m["version"] = 99; });
  expect_predict_fails(newer, data, {newer, "version"});
  std::string sizes = rewrite_mlp("sizes.st", [](json& m) { m["architecture"]["sizes"] = {2, 7, 1}; });
  expect_predict_fails(sizes, data, {sizes});
  std::string no_arch = rewrite_mlp("no_arch.st", [](json& m) { m.erase("architecture"); });
  expect_predict_fails(no_arch, data, {no_arch});
  std::string stats = rewrite_mlp("stats.st", [](json& m) { m["preprocessing"]["feature_offset"] = {0.5}; });
  expect_predict_fails(stats, data, {stats});
  std::string activation = rewrite_mlp("activation.st", [](json& m) { m["architecture"]["hidden_activations"] = {"nope"}; });
  expect_predict_fails(activation, data, {activation});
  // A tensor missing, of another shape, or with byte ranges that do not tile the data.
  std::string missing = rewrite("missing_tensor.st", [](json& h) { h.erase("layers.1.bias"); });
  expect_predict_fails(missing, data, {missing});
  std::string shape = rewrite("shape.st", [](json& h) { h["layers.0.weight"]["shape"] = {2, 3}; });
  expect_predict_fails(shape, data, {shape});
  std::string offsets = rewrite("offsets.st", [](json& h) {
    auto& o = h["layers.0.bias"]["data_offsets"];
    o[1] = o[1].get<std::size_t>() + 4;
  });
  expect_predict_fails(offsets, data, {offsets});
  std::string dtype = rewrite("dtype.st", [](json& h) { h["layers.0.bias"]["dtype"] = "Q7"; });
  expect_predict_fails(dtype, data, {dtype});
}

TEST_F(CliErrors, InfoAndEvalOnBadModelsFailInOneLine) {
  std::string garbage = file("garbage.st", kGarbage);
  std::string missing = dir_ / "missing.st";
  for (const std::string& m : {garbage, missing}) {
    expect_one_line_error(mlp("info " + q(m)), {m}, "info " + m);
    expect_one_line_error(mlp("info " + q(m) + " --json"), {m}, "info --json " + m);
    expect_one_line_error(mlp("eval " + q(m) + " " + q(shared("good.csv"))), {m}, "eval " + m);
  }
}

// --- data for a trained model -------------------------------------------------------------------

TEST_F(CliErrors, PredictOnBadCsv) {
  std::string model = shared("reg.st");
  std::string missing = dir_ / "missing.csv";
  expect_predict_fails(model, missing, {missing});
  std::string empty = file("empty.csv", "");
  expect_predict_fails(model, empty, {empty});
  std::string header = file("header.csv", "a,b\n");
  expect_predict_fails(model, header, {header});
  std::string ragged = file("ragged.csv", "a,b\n1,2\n3\n");
  expect_predict_fails(model, ragged, {ragged + ":3:"});
  std::string abc = file("abc.csv", "a,b\n1,2\n3,abc\n");
  expect_predict_fails(model, abc, {abc + ":3:2: 'abc' is not a number"});
  std::string inf = file("inf.csv", "b,a\n1,2\n3,-inf\n");  // columns found by name, in any order
  expect_predict_fails(model, inf, {inf + ":3:2:"});
  std::string overflow = file("overflow.csv", "a,b\n1e999,2\n");
  expect_predict_fails(model, overflow, {overflow + ":2:1:"});
  std::string garbage = file("garbage.csv", kGarbage);
  expect_predict_fails(model, garbage, {garbage});
}

TEST_F(CliErrors, PredictOnDataWhoseWidthDoesNotMatchTheModel) {
  // CSV: the model's feature columns are found by name.
  std::string no_b = file("no_b.csv", "a,c\n1,2\n");
  expect_predict_fails(shared("reg.st"), no_b, {no_b, "'b'"});
  // NPY / IDX data for a model trained on 2 features of an NPY file.
  std::string wide = file("wide.npy", mlp_test::npy_f32({{1, 2, 3}, {4, 5, 6}}));
  expect_predict_fails(shared("npy.st"), wide, {wide, "3"});
  std::string narrow = file("narrow.idx", mlp_test::idx_bytes(0x08, {2, 1}, std::string("\x01\x02", 2)));
  expect_predict_fails(shared("npy.st"), narrow, {narrow, "1"});
  std::string csv = file("wide.csv", "p,q,r\n1,2,3\n");
  expect_predict_fails(shared("npy.st"), csv, {csv, "3"});
  // Truncated NPY data.
  std::string good = mlp_test::npy_f32({{1, 2}, {3, 4}});
  std::string truncated = file("truncated.npy", good.substr(0, good.size() - 1));
  expect_predict_fails(shared("npy.st"), truncated, {truncated});
}

TEST_F(CliErrors, EvalOnBadLabels) {
  auto eval_fails = [&](const std::string& args, std::initializer_list<std::string> needles) {
    expect_one_line_error(mlp("eval " + args), needles, "eval " + args);
    expect_one_line_error(mlp("eval " + args + " --json"), needles, "eval --json " + args);
  };
  std::string no_label = file("no_label.csv", "a,b\n1,2\n");
  eval_fails(q(shared("reg.st")) + " " + q(no_label), {no_label, "y"});
  std::string nan = file("nan.csv", "a,b,y\n1,2,3.5\n3,4,nan\n");
  eval_fails(q(shared("reg.st")) + " " + q(nan), {nan + ":3:3:"});
  std::string unseen = file("unseen.csv", "a,b,k\n1,2,1\n3,4,9\n");
  eval_fails(q(shared("cls.st")) + " " + q(unseen), {unseen, "'9'"});
  std::string target = file("target.csv", "a,b,y\n1,2,3.5\n");
  eval_fails(q(shared("reg.st")) + " " + q(target) + " --target nope", {target, "nope"});
  std::string three = file("three.npy", mlp_test::npy_f64({{1}, {2}, {3}}));
  eval_fails(q(shared("npy.st")) + " " + q(shared("x.npy")) + " --labels " + q(three), {three});
  eval_fails(q(shared("npy.st")) + " " + q(shared("x.npy")), {shared("x.npy"), "--labels"});
}

TEST_F(CliErrors, TextInARegressionTargetIsAnErrorNotACrash) {
  std::string text = file("text.csv", "a,b,y\n1,2,3.5\n3,4,many\n");
  expect_one_line_error(mlp("eval " + q(shared("reg.st")) + " " + q(text)), {text + ":3:3:", "'many'"}, "eval, text target");
  expect_train_fails(q(shared("good.csv")) + " --hidden 3 --epochs 2 -q --val " + q(text), {text + ":3:3:", "'many'"});
}

TEST_F(CliErrors, EvalOfAClassifierRefusesTwoLabelColumns) {
  std::string data = file("two.csv", "a,b,k,k2\n1,2,1,2\n3,4,2,1\n5,6,3,3\n");
  expect_one_line_error(mlp("eval " + q(shared("cls.st")) + " " + q(data) + " --target k,k2"), {data}, "two label columns");
}

TEST_F(CliErrors, UnknownClassLabelsNameLineAndColumn) {
  std::string unseen = file("unseen.csv", "a,b,k\n1,2,1\n3,4,9\n");
  expect_one_line_error(mlp("eval " + q(shared("cls.st")) + " " + q(unseen)), {unseen + ":3:3:"}, "unseen label");
}

}  // namespace
