// The model file as bytes, with no mlp code in between: a safetensors file written by `mlp train`
// is parsed here from its raw bytes (header size, JSON, tensors, scaling statistics) and a forward
// pass computed from them gives `mlp predict`'s numbers; a file written here by hand is taken by --init.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_fixtures.h"

namespace {

using mlp_test::CommandResult;
using mlp_test::mlp;
using mlp_test::Numbers;
using mlp_test::parse_csv;
using mlp_test::q;
using mlp_test::read_text;
using mlp_test::ScratchDir;
using mlp_test::to_double;
using mlp_test::write_file;
using nlohmann::json;
using Rows = std::vector<std::vector<double>>;

CommandResult ok(const std::string& args) {
  CommandResult r = mlp(args);
  EXPECT_EQ(r.status, 0) << "mlp " << args << "\n" << r.err;
  return r;
}

// a, b, c in [-1, 1) (c shifted and stretched, so scaling matters); y1, y2 nonlinear in them.
Rows data_rows(std::size_t n, std::uint64_t seed) {
  Numbers u(seed);
  Rows rows;
  for (std::size_t i = 0; i < n; ++i) {
    double a = u.next(), b = u.next(), c = 5 + 3 * u.next();
    rows.push_back({a, b, c, a * b + 0.1 * c, std::sin(a) - b + 7});
  }
  return rows;
}

// One tensor read from the raw bytes.
struct RawTensor {
  std::string dtype;
  std::vector<std::size_t> shape;
  std::size_t begin = 0, end = 0;
  std::vector<double> values;
};

// A safetensors file read byte by byte, checked as the format requires.
struct RawFile {
  std::uint64_t header_size = 0;
  json header;
  std::map<std::string, RawTensor> tensors;
  json mlp;  // __metadata__["mlp"], parsed
};

RawFile read_raw(const std::string& path) {
  RawFile f;
  const std::string bytes = read_text(path);
  EXPECT_GE(bytes.size(), 8u);
  if (bytes.size() < 8) return f;
  for (int i = 7; i >= 0; --i) f.header_size = (f.header_size << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
  EXPECT_LE(f.header_size, bytes.size() - 8);
  if (f.header_size > bytes.size() - 8) return f;
  EXPECT_EQ(bytes[8], '{') << "the header starts with '{'";
  EXPECT_EQ(f.header_size % 8, 0u) << "the writer pads the header to 8 bytes, as the reference does";
  f.header = json::parse(bytes.substr(8, f.header_size), nullptr, false);
  EXPECT_TRUE(f.header.is_object());
  if (!f.header.is_object()) return f;
  const std::size_t data_size = bytes.size() - 8 - f.header_size;
  const char* data = bytes.data() + 8 + f.header_size;

  std::vector<std::pair<std::size_t, std::size_t>> ranges;
  for (const auto& [name, entry] : f.header.items()) {
    if (name == "__metadata__") {
      EXPECT_TRUE(entry.is_object());
      for (const auto& [k, v] : entry.items()) EXPECT_TRUE(v.is_string()) << "metadata " << k << " is not a string";
      EXPECT_TRUE(entry.contains("mlp"));
      if (entry.contains("mlp")) f.mlp = json::parse(entry["mlp"].get<std::string>(), nullptr, false);
      continue;
    }
    RawTensor t;
    t.dtype = entry.at("dtype").get<std::string>();
    t.shape = entry.at("shape").get<std::vector<std::size_t>>();
    auto offsets = entry.at("data_offsets").get<std::vector<std::size_t>>();
    EXPECT_EQ(offsets.size(), 2u) << name;
    t.begin = offsets.at(0);
    t.end = offsets.at(1);
    std::size_t count = 1;
    for (std::size_t d : t.shape) count *= d;
    const std::size_t size = t.dtype == "F32" ? 4 : t.dtype == "F64" ? 8 : 0;
    EXPECT_NE(size, 0u) << name << ": dtype " << t.dtype;
    EXPECT_EQ(t.end - t.begin, count * size) << name << ": the byte range does not hold its shape";
    EXPECT_EQ(t.begin % std::max<std::size_t>(size, 1), 0u) << name << ": not aligned to its element size";
    if (t.end > data_size || t.end - t.begin != count * size || size == 0) {
      ADD_FAILURE() << name << ": bad range";
      continue;
    }
    for (std::size_t i = 0; i < count; ++i) {
      if (size == 4) {
        float v;
        std::memcpy(&v, data + t.begin + 4 * i, 4);  // little-endian on this host
        t.values.push_back(v);
      } else {
        double v;
        std::memcpy(&v, data + t.begin + 8 * i, 8);
        t.values.push_back(v);
      }
    }
    ranges.push_back({t.begin, t.end});
    f.tensors[name] = t;
  }
  // The ranges tile the data: sorted, each starts where the last ended, the last ends at the end.
  std::sort(ranges.begin(), ranges.end());
  std::size_t cursor = 0;
  for (const auto& [b, e] : ranges) {
    EXPECT_EQ(b, cursor) << "a hole or an overlap at byte " << cursor;
    cursor = e;
  }
  EXPECT_EQ(cursor, data_size) << "bytes after the last tensor";
  return f;
}

// Per-column mean and population standard deviation (ddof 0), as StandardScaler.
void column_stats(const Rows& rows, std::size_t from, std::size_t count, std::vector<double>& mean, std::vector<double>& sd) {
  mean.assign(count, 0);
  sd.assign(count, 0);
  for (const auto& r : rows)
    for (std::size_t k = 0; k < count; ++k) mean[k] += r[from + k] / static_cast<double>(rows.size());
  for (const auto& r : rows)
    for (std::size_t k = 0; k < count; ++k) sd[k] += (r[from + k] - mean[k]) * (r[from + k] - mean[k]);
  for (auto& s : sd) s = std::sqrt(s / static_cast<double>(rows.size()));
}

std::vector<double> numbers(const json& j) { return j.get<std::vector<double>>(); }

// The network's outputs for one row of raw features: scaling, dense layers with ReLU between,
// identity output, then the target scaling undone.
std::vector<double> forward(const RawFile& f, std::vector<double> x, std::size_t layers) {
  const json& p = f.mlp.at("preprocessing");
  std::vector<double> off = numbers(p.at("feature_offset")), scale = numbers(p.at("feature_scale"));
  for (std::size_t k = 0; k < off.size(); ++k) x[k] = (x[k] - off[k]) / scale[k];
  for (std::size_t l = 0; l < layers; ++l) {
    const RawTensor& w = f.tensors.at("layers." + std::to_string(l) + ".weight");
    const RawTensor& b = f.tensors.at("layers." + std::to_string(l) + ".bias");
    const std::size_t out = w.shape[0], in = w.shape[1];
    EXPECT_EQ(in, x.size());
    std::vector<double> y(out);
    for (std::size_t o = 0; o < out; ++o) {
      double s = b.values[o];
      for (std::size_t i = 0; i < in; ++i) s += w.values[o * in + i] * x[i];
      y[o] = l + 1 < layers ? std::max(s, 0.0) : s;
    }
    x = y;
  }
  std::vector<double> toff = numbers(p.at("target_offset")), tscale = numbers(p.at("target_scale"));
  for (std::size_t k = 0; k < toff.size(); ++k) x[k] = x[k] * tscale[k] + toff[k];
  return x;
}

void expect_regression_file_matches_predict(const std::string& dtype, double tolerance) {
  ScratchDir dir;
  Rows rows = data_rows(30, 1);
  const std::string data = dir / "d.csv", model = dir / "m.safetensors";
  write_file(data, mlp_test::csv_text({"a", "b", "c", "y1", "y2"}, rows));
  ok("train " + q(data) + " --target y1,y2 --hidden 4 --epochs 5 --lr 0.01 --val-split 0 --dtype " + dtype + " -q -o " + q(model));

  RawFile f = read_raw(model);
  ASSERT_TRUE(f.mlp.is_object()) << "__metadata__[\"mlp\"] is not a JSON object";
  const std::string want_dtype = dtype == "f64" ? "F64" : "F32";
  std::vector<std::string> names;
  for (const auto& [name, t] : f.tensors) {
    names.push_back(name);
    EXPECT_EQ(t.dtype, want_dtype) << name;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"layers.0.bias", "layers.0.weight", "layers.1.bias", "layers.1.weight"}));
  ASSERT_EQ(f.tensors.size(), 4u);
  EXPECT_EQ(f.tensors["layers.0.weight"].shape, (std::vector<std::size_t>{4, 3})) << "(out, in), as PyTorch";
  EXPECT_EQ(f.tensors["layers.0.bias"].shape, (std::vector<std::size_t>{4}));
  EXPECT_EQ(f.tensors["layers.1.weight"].shape, (std::vector<std::size_t>{2, 4}));
  EXPECT_EQ(f.tensors["layers.1.bias"].shape, (std::vector<std::size_t>{2}));

  // The description, and the scaling statistics as this test computes them from the data.
  EXPECT_EQ(f.mlp.at("architecture").at("sizes"), json({3, 4, 2}));
  EXPECT_EQ(f.mlp.at("features"), json({"a", "b", "c"}));
  EXPECT_EQ(f.mlp.at("targets"), json({"y1", "y2"}));
  const json& p = f.mlp.at("preprocessing");
  EXPECT_EQ(p.at("scale"), "standard");
  std::vector<double> mean, sd, tmean, tsd;
  column_stats(rows, 0, 3, mean, sd);
  column_stats(rows, 3, 2, tmean, tsd);
  auto expect_near_all = [](const std::vector<double>& got, const std::vector<double>& want, double rel, const char* what) {
    ASSERT_EQ(got.size(), want.size()) << what;
    for (std::size_t k = 0; k < want.size(); ++k) EXPECT_NEAR(got[k], want[k], rel * (1 + std::fabs(want[k]))) << what << " " << k;
  };
  // The features are fitted as the model sees them (f32: rounded to float first); the targets in double.
  const double feature_rel = dtype == "f64" ? 1e-12 : 1e-6;
  expect_near_all(numbers(p.at("feature_offset")), mean, feature_rel, "feature_offset");
  expect_near_all(numbers(p.at("feature_scale")), sd, feature_rel, "feature_scale");
  expect_near_all(numbers(p.at("target_offset")), tmean, 1e-12, "target_offset");
  expect_near_all(numbers(p.at("target_scale")), tsd, 1e-12, "target_scale");

  // predict's numbers are this forward pass's.
  auto out = parse_csv(ok("predict " + q(model) + " " + q(data)).out);
  ASSERT_EQ(out.size(), rows.size() + 1);
  EXPECT_EQ(out[0], (std::vector<std::string>{"y1", "y2"}));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    std::vector<double> want = forward(f, {rows[r][0], rows[r][1], rows[r][2]}, 2);
    ASSERT_EQ(out[r + 1].size(), 2u);
    for (std::size_t k = 0; k < 2; ++k)
      EXPECT_NEAR(to_double(out[r + 1][k]), want[k], tolerance * (1 + std::fabs(want[k]))) << "row " << r << " output " << k;
  }

  // info counts the parameters the tensors hold: 4*3 + 4 + 2*4 + 2.
  json info = json::parse(ok("info " + q(model) + " --json").out);
  EXPECT_EQ(info.at("parameters").get<int>(), 26);
  EXPECT_EQ(info.at("dtype"), want_dtype);
}

TEST(CliModelFile, F32ModelReadFromItsBytesPredictsWhatMlpPredicts) { expect_regression_file_matches_predict("f32", 1e-5); }

TEST(CliModelFile, F64ModelReadFromItsBytesPredictsWhatMlpPredicts) { expect_regression_file_matches_predict("f64", 1e-12); }

// Classification with min-max scaling: class probabilities are the softmax of the hand-computed logits.
TEST(CliModelFile, ClassifierReadFromItsBytesGivesPredictsProbabilities) {
  ScratchDir dir;
  Rows rows = data_rows(45, 2);
  std::string csv = "a,b,c,label\n";
  const char* names[] = {"low", "mid", "high"};
  for (auto& r : rows) {
    int k = r[0] + r[1] < -0.4 ? 0 : r[0] + r[1] < 0.4 ? 1 : 2;
    csv += std::to_string(r[0]) + "," + std::to_string(r[1]) + "," + std::to_string(r[2]) + "," + names[k] + "\n";
    r = {std::stod(std::to_string(r[0])), std::stod(std::to_string(r[1])), std::stod(std::to_string(r[2]))};
  }
  const std::string data = dir / "d.csv", model = dir / "m.safetensors";
  write_file(data, csv);
  ok("train " + q(data) + " --hidden 5 --epochs 10 --lr 0.01 --scale minmax -q -o " + q(model));
  RawFile f = read_raw(model);
  ASSERT_TRUE(f.mlp.is_object());
  EXPECT_EQ(f.mlp.at("classes"), json({"high", "low", "mid"}));
  EXPECT_EQ(f.mlp.at("task"), "classification");
  const json& p = f.mlp.at("preprocessing");
  EXPECT_EQ(p.at("scale"), "minmax");
  for (std::size_t k = 0; k < 3; ++k) {
    double lo = rows[0][k], hi = rows[0][k];
    for (const auto& r : rows) lo = std::min(lo, r[k]), hi = std::max(hi, r[k]);
    EXPECT_NEAR(p.at("feature_offset")[k].get<double>(), lo, 1e-6 * (1 + std::fabs(lo)));  // of the floats
    EXPECT_NEAR(p.at("feature_scale")[k].get<double>(), hi - lo, 1e-6 * (1 + std::fabs(hi - lo)));
  }
  EXPECT_TRUE(p.at("target_offset").empty()) << "class labels are not scaled";
  ASSERT_EQ(f.tensors.size(), 4u);
  EXPECT_EQ(f.tensors["layers.1.weight"].shape, (std::vector<std::size_t>{3, 5}));

  auto out = parse_csv(ok("predict " + q(model) + " " + q(data)).out);
  ASSERT_EQ(out.size(), rows.size() + 1);
  EXPECT_EQ(out[0], (std::vector<std::string>{"class", "prob_high", "prob_low", "prob_mid"}));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    std::vector<double> logits = forward(f, rows[r], 2);
    double m = *std::max_element(logits.begin(), logits.end()), s = 0;
    for (double& z : logits) s += z = std::exp(z - m);
    std::size_t best = 0;
    for (std::size_t k = 0; k < 3; ++k) {
      EXPECT_NEAR(to_double(out[r + 1][k + 1]), logits[k] / s, 1e-5) << "row " << r << " class " << k;
      if (logits[k] > logits[best]) best = k;
    }
    EXPECT_EQ(out[r + 1][0], f.mlp.at("classes")[best].get<std::string>()) << "row " << r;
  }
}

// --- a file written here, by hand, for --init ---------------------------------------------------

struct HandTensor {
  std::string name;
  std::vector<std::size_t> shape;
  std::vector<double> values;
};

// A safetensors file in `dtype` (F32 or F64): the tensors' bytes in the order given (not the
// reference writer's), a header typed out with spaces, keys in that order, no __metadata__.
std::string hand_written(const std::vector<HandTensor>& tensors, const std::string& dtype) {
  std::string header = "{ ", data;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const HandTensor& t = tensors[i];
    std::size_t begin = data.size();
    for (double v : t.values) {
      if (dtype == "F32") mlp_test::put_le(data, static_cast<float>(v));
      else mlp_test::put_le(data, v);
    }
    std::string shape;
    for (std::size_t d : t.shape) shape += (shape.empty() ? "" : ", ") + std::to_string(d);
    header += (i ? ", " : "") + std::string("\"") + t.name + "\": {\"data_offsets\": [" + std::to_string(begin) + ", " +
              std::to_string(data.size()) + "], \"shape\": [" + shape + "], \"dtype\": \"" + dtype + "\"}";
  }
  header += " }";
  header += std::string((8 - header.size() % 8) % 8, ' ');
  std::string out;
  mlp_test::put_le(out, static_cast<std::uint64_t>(header.size()));
  return out + header + data;
}

// A 2-3-1 network; no weight is 0, so a step of lr 1e-30 cannot move any of them in float.
const std::vector<HandTensor> kHand = {
    {"layers.1.bias", {1}, {0.05}},
    {"layers.0.weight", {3, 2}, {0.5, -1.0, 1.5, 0.25, -0.75, 2.0}},
    {"layers.1.weight", {1, 3}, {1.0, -2.0, 0.5}},
    {"layers.0.bias", {3}, {0.1, -0.2, 0.3}},
};

double hand_forward(double a, double b) {
  double h0 = std::max(0.0, 0.5 * a - 1.0 * b + 0.1);
  double h1 = std::max(0.0, 1.5 * a + 0.25 * b - 0.2);
  double h2 = std::max(0.0, -0.75 * a + 2.0 * b + 0.3);
  return 1.0 * h0 - 2.0 * h1 + 0.5 * h2 + 0.05;
}

TEST(CliModelFile, HandWrittenWeightsAreTakenByInit) {
  ScratchDir dir;
  Numbers u(5);
  Rows rows;
  for (int i = 0; i < 20; ++i) {
    double a = u.next(), b = u.next();
    rows.push_back({a, b, a + b + 0.5 * u.next()});
  }
  const std::string data = dir / "d.csv";
  write_file(data, mlp_test::csv_text({"a", "b", "y"}, rows));
  const std::string still = " --hidden 3 --scale none --optimizer sgd --lr 1e-30 --epochs 1 --val-split 0 -q";

  for (const std::string dtype : {"F32", "F64"}) {
    SCOPED_TRACE(dtype);
    const std::string init = dir / ("hand_" + dtype + ".safetensors"), model = dir / ("from_" + dtype + ".safetensors");
    write_file(init, hand_written(kHand, dtype));
    ok("train " + q(data) + " --init-from " + q(init) + still + " -o " + q(model));

    // The weights saved are the hand-written ones (as float: the model trains in f32).
    RawFile f = read_raw(model);
    for (const HandTensor& t : kHand) {
      ASSERT_EQ(f.tensors.count(t.name), 1u) << t.name;
      const RawTensor& got = f.tensors[t.name];
      EXPECT_EQ(got.shape, t.shape) << t.name;
      ASSERT_EQ(got.values.size(), t.values.size()) << t.name;
      for (std::size_t i = 0; i < t.values.size(); ++i)
        EXPECT_EQ(got.values[i], static_cast<double>(static_cast<float>(t.values[i]))) << t.name << "[" << i << "]";
    }
    // predict gives the hand-written network's outputs.
    auto out = parse_csv(ok("predict " + q(model) + " " + q(data)).out);
    ASSERT_EQ(out.size(), rows.size() + 1);
    for (std::size_t r = 0; r < rows.size(); ++r)
      EXPECT_NEAR(to_double(out[r + 1][0]), hand_forward(rows[r][0], rows[r][1]), 1e-5) << "row " << r;
  }

  // Without --init the same run predicts something else (else this test would prove nothing).
  ok("train " + q(data) + still + " -o " + q(dir / "default.safetensors"));
  auto out = parse_csv(ok("predict " + q(dir / "default.safetensors") + " " + q(data)).out);
  ASSERT_EQ(out.size(), rows.size() + 1);
  double max_diff = 0;
  for (std::size_t r = 0; r < rows.size(); ++r)
    max_diff = std::max(max_diff, std::fabs(to_double(out[r + 1][0]) - hand_forward(rows[r][0], rows[r][1])));
  EXPECT_GT(max_diff, 1e-2);
}

TEST(CliModelFile, HandWrittenWeightsOfTheWrongShapeAreRefused) {
  ScratchDir dir;
  const std::string data = dir / "d.csv";
  write_file(data, "a,b,y\n1,2,0.5\n2,1,1.5\n0,1,2.5\n");
  const std::string existing = dir / "existing.safetensors", before = "an earlier model";
  auto refuse = [&](const std::string& name, const std::vector<HandTensor>& tensors, std::initializer_list<std::string> needles) {
    const std::string init = dir / name;
    write_file(init, hand_written(tensors, "F32"));
    write_file(existing, before);
    CommandResult r = mlp("train " + q(data) + " --init-from " + q(init) + " --hidden 3 --epochs 1 -q -o " + q(existing));
    std::vector<std::string> all = {init};
    all.insert(all.end(), needles);
    for (const std::string& n : all) EXPECT_NE(r.err.find(n), std::string::npos) << name << ": '" << n << "' not in " << r.err;
    mlp_test::expect_one_line_error(r, {}, name);
    EXPECT_EQ(read_text(existing), before) << name;
  };
  std::vector<HandTensor> wide = kHand;
  wide[1] = {"layers.0.weight", {4, 2}, {1, 2, 3, 4, 5, 6, 7, 8}};
  refuse("wide.safetensors", wide, {"layers.0.weight"});
  std::vector<HandTensor> missing(kHand.begin(), kHand.end() - 1);  // no layers.0.bias
  refuse("missing.safetensors", missing, {"layers.0.bias"});
  std::vector<HandTensor> extra = kHand;
  extra.push_back({"layers.2.weight", {1, 1}, {1}});
  extra.push_back({"layers.2.bias", {1}, {1}});
  refuse("extra.safetensors", extra, {"layers.2"});
}

}  // namespace
