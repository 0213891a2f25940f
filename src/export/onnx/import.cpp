// Reading ONNX models into Pipelines: mlp's own exports (the description in metadata_props, the
// weights from the Gemm nodes) and the multi-layer perceptrons torch.onnx.export writes, read by
// walking the graph from its input to its output and matching each step to a layer or an
// activation. The weights become an mlp model file in memory, which Pipeline::deserialize
// checks as it checks any model file. Every malformed or unsupported file is one Error line.
#include <charconv>
#include <climits>
#include <deque>
#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "mlp/core/error.h"
#include "core/escape.h"
#include "core/file.h"
#include "mlp/formats/model_file.h"
#include "mlp/formats/safetensors.h"
#include "mlp/export/onnx.h"
#include "proto.h"

namespace mlp {
namespace {

using nlohmann::json;
using ::onnx::NodeProto;
using ::onnx::TensorProto;

constexpr double kSqrt2 = 1.41421356237309504880;
constexpr double kSqrt2OverPi = 0.79788456080286535588;
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;

// A dense layer as read: weight (out, in) and bias (out) in double, and what follows it.
struct Layer {
  std::size_t in = 0, out = 0;
  std::vector<double> weight, bias;
  std::optional<Activation> activation;
};

// A float attribute as the shortest decimal that reads back as the same float: LeakyRelu's
// alpha 0.20000000298023224 is leaky_relu:0.2.
double shortest(float f) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, f);
  return std::strtod(std::string(buf, r.ptr).c_str(), nullptr);
}

bool close(double a, double b) { return std::abs(a - b) <= 1e-6 * std::max(std::abs(a), std::abs(b)); }

std::string type_name(int type) {
  return TensorProto::DataType_IsValid(type) ? TensorProto::DataType_Name(static_cast<TensorProto::DataType>(type))
                                             : "unknown type " + std::to_string(type);
}

class Reader {
 public:
  Reader(const ::onnx::ModelProto& m, std::string source) : m_(m), g_(m.graph()), source_(std::move(source)) {
    for (const TensorProto& t : g_.initializer()) constants_[t.name()] = &t;
    for (int i = 0; i < g_.node_size(); ++i) {
      const NodeProto& n = g_.node(i);
      if (n.op_type() == "Constant" && n.output_size() == 1) {
        for (const auto& a : n.attribute()) {
          if (a.name() == "value" && a.has_t()) constants_[n.output(0)] = &a.t();
          if (a.name() == "value_float") {
            TensorProto& t = owned_.emplace_back();
            t.set_data_type(TensorProto::FLOAT);
            t.add_float_data(a.f());
            constants_[n.output(0)] = &t;
          }
        }
        source_nodes_.insert(i);
      }
    }
    // Identity of a constant (torch writes BatchNorm1d's running statistics so) is a constant.
    for (int i = 0; i < g_.node_size(); ++i) {
      const NodeProto& n = g_.node(i);
      if (n.op_type() == "Identity" && n.input_size() == 1 && n.output_size() == 1 && constants_.count(n.input(0)))
        constants_[n.output(0)] = constants_[n.input(0)], source_nodes_.insert(i);
    }
    for (int i = 0; i < g_.node_size(); ++i) {
      if (source_nodes_.count(i)) continue;
      for (const std::string& in : g_.node(i).input()) {
        std::vector<int>& c = consumers_[in];
        if (c.empty() || c.back() != i) c.push_back(i);  // once per node, whichever inputs it reads the value as
      }
    }
  }

  [[noreturn]] void fail(const std::string& what) const { throw Error(source_ + ": " + what); }

  static std::string describe(const NodeProto& n) {
    return n.op_type() + (n.name().empty() ? std::string() : " (node '" + escape_for_message(n.name()) + "')");
  }

  // A tensor's values in double; FLOAT and DOUBLE only, the size checked against the shape.
  std::vector<double> values(const TensorProto& t, const std::string& what) const {
    const std::string name = "'" + escape_for_message(t.name().empty() ? what : t.name()) + "'";
    if (t.data_location() == TensorProto::EXTERNAL) fail("tensor " + name + " keeps its data in an external file, which mlp import does not read");
    if (t.has_segment()) fail("tensor " + name + " is segmented, which mlp import does not read");
    std::uint64_t count = 1;
    for (std::int64_t d : t.dims()) {
      if (d < 0) fail("tensor " + name + " has a negative dimension");
      if (d != 0 && count > std::numeric_limits<std::uint64_t>::max() / std::uint64_t(d)) fail("tensor " + name + ": its dimensions overflow");
      count *= std::uint64_t(d);
    }
    const int type = t.data_type();
    if (type != TensorProto::FLOAT && type != TensorProto::DOUBLE)
      fail("tensor " + name + " (" + what + ") is of type " + type_name(type) + "; mlp import reads FLOAT and DOUBLE weights");
    const std::size_t size = type == TensorProto::FLOAT ? 4 : 8;
    const std::uint64_t held = t.has_raw_data() ? t.raw_data().size() / size
                                                : std::uint64_t(type == TensorProto::FLOAT ? t.float_data_size() : t.double_data_size());
    if ((t.has_raw_data() && t.raw_data().size() % size != 0) || held != count)
      fail("tensor " + name + " holds " + std::to_string(held) + " values, its shape needs " + std::to_string(count));
    std::vector<double> v(count);
    for (std::size_t i = 0; i < count; ++i) {
      if (t.has_raw_data()) {
        if (type == TensorProto::FLOAT) {
          float f;
          std::memcpy(&f, t.raw_data().data() + 4 * i, 4);
          v[i] = f;
        } else {
          std::memcpy(&v[i], t.raw_data().data() + 8 * i, 8);
        }
      } else {
        v[i] = type == TensorProto::FLOAT ? double(t.float_data(int(i))) : t.double_data(int(i));
      }
    }
    return v;
  }

  const TensorProto* constant(const std::string& name) const {
    auto it = constants_.find(name);
    return it == constants_.end() ? nullptr : it->second;
  }
  const TensorProto& need_constant(const NodeProto& n, int input, const std::string& what) const {
    if (input >= n.input_size() || n.input(input).empty()) fail(describe(n) + " has no " + what);
    const TensorProto* t = constant(n.input(input));
    if (!t) fail(describe(n) + ": its " + what + " '" + escape_for_message(n.input(input)) + "' is not a constant");
    return *t;
  }
  std::optional<double> scalar(const std::string& name) const {
    const TensorProto* t = constant(name);
    if (!t || (t->data_type() != TensorProto::FLOAT && t->data_type() != TensorProto::DOUBLE)) return std::nullopt;
    std::uint64_t n = 1;
    for (std::int64_t d : t->dims()) n *= std::uint64_t(std::max<std::int64_t>(d, 0));
    if (n != 1) return std::nullopt;
    return values(*t, "constant")[0];
  }

  static const ::onnx::AttributeProto* attribute(const NodeProto& n, const std::string& name) {
    for (const auto& a : n.attribute())
      if (a.name() == name) return &a;
    return nullptr;
  }
  static double float_attr(const NodeProto& n, const std::string& name, double fallback) {
    const auto* a = attribute(n, name);
    return a ? shortest(a->f()) : fallback;
  }
  static std::int64_t int_attr(const NodeProto& n, const std::string& name, std::int64_t fallback) {
    const auto* a = attribute(n, name);
    return a ? a->i() : fallback;
  }

  // --- mlp's own exports ------------------------------------------------------------------

  std::vector<Layer> gemm_layers(int& type) const {
    std::vector<Layer> layers;
    type = 0;
    for (const NodeProto& n : g_.node()) {
      if (n.op_type() != "Gemm") continue;
      Layer l = gemm(n, layers.empty() ? 0 : layers.back().out, layers.size());
      const int t = need_constant(n, 1, "weight").data_type();
      if (type == 0) type = t;
      layers.push_back(std::move(l));
    }
    if (layers.empty()) fail("an mlp export without Gemm nodes");
    return layers;
  }

  // --- torch.onnx.export's MLPs -----------------------------------------------------------

  Layer gemm(const NodeProto& n, std::size_t width, std::size_t index) const {
    if (n.input_size() < 2) fail(describe(n) + " has no weight");
    if (float_attr(n, "alpha", 1) != 1 || float_attr(n, "beta", 1) != 1 || int_attr(n, "transA", 0) != 0)
      fail(describe(n) + ": only Gemm with alpha 1, beta 1 and transA 0 is a dense layer");
    const TensorProto& w = need_constant(n, 1, "weight");
    if (w.dims_size() != 2) fail(describe(n) + ": its weight has " + std::to_string(w.dims_size()) + " dimensions, not 2");
    const bool trans = int_attr(n, "transB", 0) != 0;
    return dense(n, w, trans, n.input_size() > 2 && !n.input(2).empty() ? &need_constant(n, 2, "bias") : nullptr, width, index);
  }

  // weight (out, in) when `trans` (Gemm transB=1, torch.nn.Linear's layout), else (in, out).
  Layer dense(const NodeProto& n, const TensorProto& w, bool trans, const TensorProto* b, std::size_t width,
              std::size_t index) const {
    Layer l;
    const std::vector<double> v = values(w, "weight");  // checks the dimensions against the data first
    const auto d0 = std::size_t(w.dims(0)), d1 = std::size_t(w.dims(1));
    l.out = trans ? d0 : d1;
    l.in = trans ? d1 : d0;
    if (l.in == 0 || l.out == 0) fail(describe(n) + ": a layer with no units");
    if (width && l.in != width)
      fail(describe(n) + ": layer " + std::to_string(index) + " takes " + std::to_string(l.in) + " inputs, " + (index ? "the layer before gives " : "the input has ") +
           std::to_string(width));
    l.weight.resize(v.size());
    for (std::size_t o = 0; o < l.out; ++o)
      for (std::size_t i = 0; i < l.in; ++i) l.weight[o * l.in + i] = trans ? v[o * l.in + i] : v[i * l.out + o];
    l.bias.assign(l.out, 0.0);
    if (b) {
      std::vector<double> bv = values(*b, "bias");
      if (bv.size() != l.out) fail(describe(n) + ": a bias of " + std::to_string(bv.size()) + " values for " + std::to_string(l.out) + " units");
      l.bias = std::move(bv);
    }
    return l;
  }

  std::vector<int> consumers(const std::string& value) const {
    auto it = consumers_.find(value);
    return it == consumers_.end() ? std::vector<int>{} : it->second;
  }

  // A chain of nodes from x: each step's op and operands: 'x' the chain's input, 'p' the previous
  // step's output, a number a scalar constant equal to it, 'k' one scalar constant (the same in
  // every step that names it). Add and Mul match either way round. The nodes must be the only
  // consumers of x and of each other's outputs. Returns the last output.
  struct Operand {
    char kind;     // 'x', 'p', 'c', 'k'
    double value;  // for 'c'
  };
  struct Step {
    std::string op;
    std::vector<Operand> in;
  };
  static Operand X() { return {'x', 0}; }
  static Operand P() { return {'p', 0}; }
  static Operand C(double v) { return {'c', v}; }
  static Operand Any() { return {'k', 0}; }

  std::optional<std::string> chain(const std::string& x, const std::vector<Step>& steps, std::set<int>& used, double& k) const {
    std::string prev = x;
    std::vector<int> nodes;
    k = std::nan("");
    for (const Step& s : steps) {
      std::optional<int> found;
      for (int idx : consumers(prev)) {
        const NodeProto& n = g_.node(idx);
        if (n.op_type() != s.op || n.input_size() != int(s.in.size()) || n.output_size() < 1 ||
            std::find(nodes.begin(), nodes.end(), idx) != nodes.end())
          continue;
        auto matches = [&](bool swap) {
          double kk = k;
          for (std::size_t i = 0; i < s.in.size(); ++i) {
            const std::string& name = n.input(int(swap ? s.in.size() - 1 - i : i));
            const Operand& o = s.in[i];
            if (o.kind == 'x' && name != x) return false;
            if (o.kind == 'p' && name != prev) return false;
            if (o.kind == 'c' || o.kind == 'k') {
              std::optional<double> v = scalar(name);
              if (!v) return false;
              if (o.kind == 'c' && !close(*v, o.value)) return false;
              if (o.kind == 'k') {
                if (std::isnan(kk)) kk = *v;
                else if (!close(*v, kk)) return false;
              }
            }
          }
          k = kk;
          return true;
        };
        if (matches(false) || ((s.op == "Add" || s.op == "Mul") && s.in.size() == 2 && matches(true))) {
          found = idx;
          break;
        }
      }
      if (!found) return std::nullopt;
      nodes.push_back(*found);
      prev = g_.node(*found).output(0);
    }
    // Nothing else may read x or the intermediate values.
    auto inside = [&](const std::string& v) {
      for (int c : consumers(v))
        if (std::find(nodes.begin(), nodes.end(), c) == nodes.end()) return false;
      return true;
    };
    if (!inside(x)) return std::nullopt;
    for (std::size_t i = 0; i + 1 < nodes.size(); ++i)
      if (!inside(g_.node(nodes[i]).output(0))) return std::nullopt;
    used.insert(nodes.begin(), nodes.end());
    return prev;
  }

  // The activation that starts at x: the primitive patterns torch.onnx.export writes (and mlp's
  // own), then the single operators. Returns the activation and its output.
  std::optional<std::pair<Activation, std::string>> activation(const std::string& x, std::set<int>& used) const {
    using K = ActivationKind;
    double k;
    struct Pattern {
      K kind;
      std::vector<Step> steps;
    };
    const std::vector<Pattern> patterns = {
        // torch GELU(approximate='tanh'): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        {K::gelu_tanh, {{"Mul", {X(), X()}}, {"Mul", {P(), X()}}, {"Mul", {P(), C(0.044715)}}, {"Add", {X(), P()}},
                        {"Mul", {P(), C(kSqrt2OverPi)}}, {"Tanh", {P()}}, {"Add", {P(), C(1)}}, {"Mul", {X(), P()}},
                        {"Mul", {P(), C(0.5)}}}},
        // torch GELU: x (erf(x / sqrt 2) + 1) 0.5; mlp's: x (0.5 (1 + erf(x / sqrt 2)))
        {K::gelu, {{"Div", {X(), C(kSqrt2)}}, {"Erf", {P()}}, {"Add", {P(), C(1)}}, {"Mul", {X(), P()}}, {"Mul", {P(), C(0.5)}}}},
        {K::gelu, {{"Mul", {X(), C(1 / kSqrt2)}}, {"Erf", {P()}}, {"Add", {C(1), P()}}, {"Mul", {C(0.5), P()}}, {"Mul", {X(), P()}}}},
        // torch Softplus(beta): softplus(beta x) / beta
        {K::softplus, {{"Mul", {X(), Any()}}, {"Softplus", {P()}}, {"Div", {P(), Any()}}}},
        {K::mish, {{"Softplus", {X()}}, {"Tanh", {P()}}, {"Mul", {X(), P()}}}},
        {K::softsign, {{"Abs", {X()}}, {"Add", {P(), C(1)}}, {"Div", {X(), P()}}}},
        {K::silu, {{"Sigmoid", {X()}}, {"Mul", {X(), P()}}}},
        {K::log_sigmoid, {{"Sigmoid", {X()}}, {"Log", {P()}}}},
    };
    for (const Pattern& p : patterns) {
      if (auto out = chain(x, p.steps, used, k)) {
        Activation a(p.kind);
        if (p.kind == K::softplus) a.beta = shortest(float(k));
        return std::make_pair(a, *out);
      }
    }
    const std::vector<int> cs = consumers(x);
    if (cs.size() != 1) return std::nullopt;
    const NodeProto& n = g_.node(cs[0]);
    if (n.input_size() < 1 || n.input(0) != x || n.output_size() < 1) return std::nullopt;
    const std::string& op = n.op_type();
    std::optional<Activation> a;
    if (op == "Relu") a = Activation(K::relu);
    if (op == "Sigmoid") a = Activation(K::sigmoid);
    if (op == "Tanh") a = Activation(K::tanh);
    if (op == "Softsign") a = Activation(K::softsign);
    if (op == "Softplus") a = Activation(K::softplus);
    if (op == "HardSwish") a = Activation(K::hard_swish);
    if (op == "Elu") a = Activation(K::elu), a->alpha = float_attr(n, "alpha", 1.0);
    if (op == "Celu") a = Activation(K::celu), a->alpha = float_attr(n, "alpha", 1.0);
    if (op == "LeakyRelu") a = Activation(K::leaky_relu), a->alpha = float_attr(n, "alpha", 0.01);
    if (op == "Selu") {
      if (!close(float_attr(n, "alpha", kSeluAlpha), kSeluAlpha) || !close(float_attr(n, "gamma", kSeluScale), kSeluScale))
        fail(describe(n) + ": only SELU's own alpha and gamma are supported");
      a = Activation(K::selu);
    }
    if (op == "HardSigmoid") {
      if (!close(float_attr(n, "alpha", 0.2), 1.0 / 6) || !close(float_attr(n, "beta", 0.5), 0.5))
        fail(describe(n) + ": only alpha 1/6 and beta 0.5 (torch's Hardsigmoid) are supported");
      a = Activation(K::hard_sigmoid);
    }
    if (op == "Softmax" || op == "LogSoftmax") {
      const std::int64_t axis = int_attr(n, "axis", -1);
      if (axis != 1 && axis != -1) fail(describe(n) + ": axis " + std::to_string(axis) + "; an activation acts along axis 1");
      a = Activation(op == "Softmax" ? K::softmax : K::log_softmax);
    }
    if (op == "Clip") {
      const double none = std::nan("");
      const double lo = n.input_size() > 1 ? scalar(n.input(1)).value_or(none) : none;
      const double hi = n.input_size() > 2 ? scalar(n.input(2)).value_or(none) : none;
      if (lo == -1 && hi == 1) a = Activation(K::hard_tanh);
      else if (lo == 0 && hi == 6) a = Activation(K::relu6);
      else fail(describe(n) + ": only Clip(-1, 1) (hard_tanh) and Clip(0, 6) (relu6) are activations mlp has");
    }
    if (!a) return std::nullopt;
    used.insert(cs[0]);
    return std::make_pair(*a, n.output(0));
  }

  // Folds BatchNormalization (inference) into the layer before it.
  void fold_batch_norm(const NodeProto& n, Layer& l) const {
    if (n.input_size() != 5 || int_attr(n, "training_mode", 0) != 0) fail(describe(n) + ": only inference-mode batch normalization is supported");
    const double eps = float_attr(n, "epsilon", 1e-5);
    const std::vector<double> gamma = values(need_constant(n, 1, "scale"), "scale"), beta = values(need_constant(n, 2, "B"), "B"),
                              mean = values(need_constant(n, 3, "mean"), "mean"), var = values(need_constant(n, 4, "var"), "var");
    if (gamma.size() != l.out || beta.size() != l.out || mean.size() != l.out || var.size() != l.out)
      fail(describe(n) + ": its statistics do not have the layer's " + std::to_string(l.out) + " values");
    for (std::size_t o = 0; o < l.out; ++o) {
      const double s = gamma[o] / std::sqrt(var[o] + eps);
      for (std::size_t i = 0; i < l.in; ++i) l.weight[o * l.in + i] *= s;
      l.bias[o] = s * (l.bias[o] - mean[o]) + beta[o];
    }
  }

  // The graph's one input (its name) and the features' width (0 when the shape does not say);
  // `type` receives its element type (FLOAT or DOUBLE).
  std::pair<std::string, std::size_t> features_input(int& type) const {
    std::vector<std::string> inputs;
    for (const auto& v : g_.input())
      if (!constants_.count(v.name())) inputs.push_back(v.name());
    if (inputs.size() != 1) fail("the graph has " + std::to_string(inputs.size()) + " inputs; mlp import reads models with one (the features)");
    if (g_.output_size() != 1) fail("the graph has " + std::to_string(g_.output_size()) + " outputs; mlp import reads models with one");
    const ::onnx::ValueInfoProto* input = nullptr;
    for (const auto& v : g_.input())
      if (v.name() == inputs[0]) input = &v;
    const auto& tt = input->type().tensor_type();
    type = tt.elem_type();
    if (!input->type().has_tensor_type() || (type != TensorProto::FLOAT && type != TensorProto::DOUBLE))
      fail("input '" + escape_for_message(inputs[0]) + "' is of type " + type_name(type) + "; mlp import reads FLOAT or DOUBLE features");
    if (tt.has_shape() && tt.shape().dim_size() != 2)
      fail("input '" + escape_for_message(inputs[0]) + "' has " + std::to_string(tt.shape().dim_size()) + " dimensions; an MLP's features have 2");
    std::size_t width = tt.has_shape() && tt.shape().dim(1).has_dim_value() ? std::size_t(std::max<std::int64_t>(tt.shape().dim(1).dim_value(), 0)) : 0;
    return {inputs[0], width};
  }

  // A MatMul layer of `w` inputs, and the bias Add that follows it when one does (it belongs to the
  // layer); `cur` moves past both, and `used` gains the Add.
  Layer matmul_layer(const NodeProto& n, std::string& cur, std::set<int>& used, std::size_t w, std::size_t index) const {
    if (n.input_size() != 2) fail(describe(n) + " must have two inputs");
    const TensorProto& wt = need_constant(n, 1, "weight");
    if (wt.dims_size() != 2) fail(describe(n) + ": its weight has " + std::to_string(wt.dims_size()) + " dimensions, not 2");
    const TensorProto* bias = nullptr;
    const std::vector<int> next = consumers(cur);
    if (next.size() == 1 && g_.node(next[0]).op_type() == "Add" && g_.node(next[0]).input_size() == 2) {
      const NodeProto& add = g_.node(next[0]);
      const std::string& other = add.input(0) == cur ? add.input(1) : add.input(0);
      if (constant(other) && (add.input(0) == cur || add.input(1) == cur)) {
        bias = constant(other);
        used.insert(next[0]);
        cur = add.output(0);
      }
    }
    return dense(n, wt, false, bias, w, index);
  }

  // The layers along the path from the input to the output: dense layers (Gemm, MatMul + Add),
  // each with its activation, batch normalization folded in, Identity and Dropout passed over;
  // anything else, or a node off the path, is refused.
  std::vector<Layer> walk(int& type) const {
    const auto [input, width] = features_input(type);
    const std::string output = g_.output(0).name();
    std::vector<Layer> layers;
    std::set<int> used;
    std::string cur = input;
    for (int steps = 0; cur != output; ++steps) {
      if (steps > g_.node_size()) fail("the graph loops back on itself");
      const std::vector<int> cs = consumers(cur);
      if (cs.empty()) fail("value '" + escape_for_message(cur) + "' leads nowhere; the graph's output is '" + escape_for_message(output) + "'");
      const NodeProto& n = g_.node(cs[0]);
      const bool single = cs.size() == 1 && n.input_size() >= 1 && n.input(0) == cur && n.output_size() >= 1;
      const bool open = !layers.empty() && !layers.back().activation;  // a layer whose activation is still to come
      if (single && (n.op_type() == "Gemm" || n.op_type() == "MatMul")) {
        if (open) layers.back().activation = Activation(ActivationKind::identity);
        if (layers.size() >= 10000) fail("more than 10000 layers");
        const std::size_t w = layers.empty() ? width : layers.back().out;
        used.insert(cs[0]);
        cur = n.output(0);
        layers.push_back(n.op_type() == "Gemm" ? gemm(n, w, layers.size()) : matmul_layer(n, cur, used, w, layers.size()));
        continue;
      }
      if (single && (n.op_type() == "Identity" || n.op_type() == "Dropout")) {
        used.insert(cs[0]);
        cur = n.output(0);
        continue;
      }
      if (single && n.op_type() == "BatchNormalization") {
        if (!open) fail(describe(n) + " does not follow a dense layer");
        fold_batch_norm(n, layers.back());
        used.insert(cs[0]);
        cur = n.output(0);
        continue;
      }
      if (open) {
        if (auto a = activation(cur, used)) {
          layers.back().activation = a->first;
          cur = a->second;
          continue;
        }
      }
      fail("unsupported operator " + describe(n) + (layers.empty() ? " before the first layer" : " after layer " + std::to_string(layers.size() - 1)) +
           "; mlp import reads Gemm (or MatMul + Add) layers, each followed by one of mlp's activations");
    }
    if (layers.empty()) fail("no dense layer (Gemm or MatMul) between the input and the output");
    for (int i = 0; i < g_.node_size(); ++i)
      if (!used.count(i) && !source_nodes_.count(i))
        fail("node " + describe(g_.node(i)) + " is not on the path from the input to the output");
    if (!layers.back().activation) layers.back().activation = Activation(ActivationKind::identity);
    return layers;
  }

  std::string metadata(const std::string& key) const {
    for (const auto& p : m_.metadata_props())
      if (p.key() == key) return p.value();
    return "";
  }

  const std::string& source() const { return source_; }

 private:
  const ::onnx::ModelProto& m_;
  const ::onnx::GraphProto& g_;
  std::string source_;
  std::map<std::string, const TensorProto*> constants_;
  std::deque<TensorProto> owned_;
  std::set<int> source_nodes_;  // Constant nodes, and Identity nodes of constants
  std::map<std::string, std::vector<int>> consumers_;
};

// The layers and a description as an mlp model file, read back as any model file is.
Pipeline assemble(const std::vector<Layer>& layers, const std::string& description, int type, const std::string& source) {
  io::SafeTensors st;
  st.metadata["format"] = "pt";
  st.metadata["mlp"] = description;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const Layer& l = layers[i];
    if (type == TensorProto::DOUBLE) {
      st.add_f64(io::weight_name(i), {l.out, l.in}, l.weight);
      st.add_f64(io::bias_name(i), {l.out}, l.bias);
    } else {
      const std::vector<float> w(l.weight.begin(), l.weight.end()), b(l.bias.begin(), l.bias.end());
      st.add_f32(io::weight_name(i), {l.out, l.in}, w);
      st.add_f32(io::bias_name(i), {l.out}, b);
    }
  }
  return Pipeline::deserialize(io::serialize_safetensors(st), source);
}

}  // namespace

Pipeline import_onnx(std::string_view bytes, const std::string& source) {
  if (bytes.size() > std::size_t(INT_MAX)) throw Error(source + ": over 2 GiB, more than an ONNX model file can hold");
  ::onnx::ModelProto m;
  if (!m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    throw Error(source + ": not an ONNX model (it does not parse as one: truncated or corrupt?)");
  if (!m.has_graph() || m.graph().node_size() == 0) throw Error(source + ": not an ONNX model (no graph)");
  Reader r(m, source);
  int type = 0;
  if (const std::string text = r.metadata("mlp.description"); !text.empty()) {
    // One of mlp's exports: the description as stored, the weights from the Gemm nodes (batch
    // normalization already folded in).
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("architecture") || !j["architecture"].is_object())
      r.fail("metadata mlp.description is not an mlp model description");
    const std::vector<Layer> layers = r.gemm_layers(type);
    json& a = j["architecture"];
    std::vector<std::size_t> sizes{layers[0].in};
    for (const Layer& l : layers) sizes.push_back(l.out);
    if (!a.contains("sizes") || a["sizes"] != json(sizes))
      r.fail("the description's layer sizes do not match the graph's Gemm nodes");
    if (type != TensorProto::FLOAT && type != TensorProto::DOUBLE) r.fail("the weights are of type " + type_name(type) + ", not FLOAT or DOUBLE");
    a["batch_norm"] = false;
    a["dropout"] = a.value("dropout", 0.0);
    return assemble(layers, j.dump(), type, source);
  }
  const std::vector<Layer> layers = r.walk(type);
  io::ModelDescription d;
  d.config.sizes = {layers[0].in};
  d.config.hidden_activations.clear();
  for (std::size_t i = 0; i < layers.size(); ++i) {
    d.config.sizes.push_back(layers[i].out);
    if (i + 1 < layers.size()) d.config.hidden_activations.push_back(*layers[i].activation);
  }
  d.config.output = *layers.back().activation;
  d.loss = Loss{};
  json training = {{"imported_from", source}, {"producer", m.producer_name() + " " + m.producer_version()},
                   {"dtype", type == TensorProto::DOUBLE ? "f64" : "f32"}};
  d.training_json = training.dump();
  return assemble(layers, io::description_json(d), type, source);
}

Pipeline load_onnx(const std::string& path) {
  const io::FileBytes bytes = io::read_file(path);
  return import_onnx(bytes.view(), path);
}

}  // namespace mlp
