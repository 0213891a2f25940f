// A Pipeline as an ONNX graph (opset 17, IR version 8), written with Debian's generated onnx
// protobuf classes. The graph computes what Pipeline::predict computes, node by node: the input
// columns' imputation and one-hot encoding, the scaler, the dense layers (batch normalization
// folded in) and their activations, and the output side. docs/export.md draws the graph.
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <type_traits>

#include "mlp/nn/activation.h"
#include "mlp/core/error.h"
#include "export/exported_layers.h"
#include "core/file.h"
#include "mlp/export/onnx.h"
#include "mlp/core/version.h"
#include "proto.h"

namespace mlp {
namespace {

using namespace activation_constants;  // the numbers src/nn/activation.cpp computes with

// Builds the graph's nodes and initializers; T is the model's precision.
template <typename T>
class Builder {
 public:
  explicit Builder(::onnx::GraphProto& g) : g_(g) {}

  static constexpr int kType = std::is_same_v<T, float> ? ::onnx::TensorProto::FLOAT : ::onnx::TensorProto::DOUBLE;

  // A fresh value name from a readable stem: the stem itself the first time, then stem_1, ...
  // (no stem is one of the fixed names: features, imputed, scaled, layer0, probabilities, ...).
  std::string name(const std::string& stem) {
    const int n = stems_[stem]++;
    return n == 0 ? stem : stem + "_" + std::to_string(n);
  }

  // An initializer of type T with these values and dims ({} for a scalar).
  std::string constant(const std::string& stem, const std::vector<double>& values, std::vector<std::int64_t> dims) {
    ::onnx::TensorProto* t = g_.add_initializer();
    t->set_name(name(stem));
    t->set_data_type(kType);
    for (std::int64_t d : dims) t->add_dims(d);
    std::string raw(values.size() * sizeof(T), '\0');
    for (std::size_t i = 0; i < values.size(); ++i) {
      const T v = static_cast<T>(values[i]);
      std::memcpy(raw.data() + i * sizeof(T), &v, sizeof(T));
    }
    t->set_raw_data(raw);
    return t->name();
  }
  std::string scalar(double v) {
    auto it = scalars_.find(v);
    if (it != scalars_.end()) return it->second;
    return scalars_[v] = constant("c", {v}, {});
  }
  std::string int64s(const std::string& stem, const std::vector<std::int64_t>& values) {
    ::onnx::TensorProto* t = g_.add_initializer();
    t->set_name(name(stem));
    t->set_data_type(::onnx::TensorProto::INT64);
    t->add_dims(static_cast<std::int64_t>(values.size()));
    for (std::int64_t v : values) t->add_int64_data(v);
    return t->name();
  }

  // One node; returns its (first) output. `out` names the output ("" for a fresh name).
  ::onnx::NodeProto* node(const std::string& op, const std::vector<std::string>& inputs, const std::string& out = "",
                          const std::string& domain = "") {
    ::onnx::NodeProto* n = g_.add_node();
    n->set_op_type(op);
    if (!domain.empty()) n->set_domain(domain);
    const std::string o = out.empty() ? name(lower(op)) : out;
    n->set_name(o);
    for (const std::string& i : inputs) n->add_input(i);
    n->add_output(o);
    return n;
  }
  std::string op(const std::string& op, const std::vector<std::string>& inputs, const std::string& out = "") {
    return node(op, inputs, out)->output(0);
  }

  static void attr(::onnx::NodeProto* n, const std::string& key, std::int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(key);
    a->set_type(::onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void attr(::onnx::NodeProto* n, const std::string& key, float v) {
    auto* a = n->add_attribute();
    a->set_name(key);
    a->set_type(::onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }

  // clamp(x, lo, hi) as std::min(std::max(x, lo), hi).
  std::string clip(const std::string& x, double lo, double hi) { return op("Clip", {x, scalar(lo), scalar(hi)}); }

  // 1 + exp(-|x|), then log: log1p(exp(-|x|)).
  std::string log1p_exp_neg_abs(const std::string& x) {
    return op("Log", {op("Add", {scalar(1), op("Exp", {op("Neg", {op("Abs", {x})})})})});
  }

  // (One case per activation, each a few operators: longer than a function should be, read as a table.)
  // The activation after a layer, exactly as src/nn/activation.cpp computes it, from operators that
  // ONNX Runtime has in float and double (where a float-only operator would do, a float model
  // uses it: Elu, Selu, Celu, LeakyRelu).
  std::string activation(const Activation& a, const std::string& x, const std::string& out) {
    constexpr bool f32 = std::is_same_v<T, float>;
    auto where_positive = [&](const std::string& negative) {
      return op("Where", {op("Greater", {x, scalar(0)}), x, negative}, out);
    };
    switch (a.kind) {
      case ActivationKind::identity: return x;
      case ActivationKind::relu: return op("Relu", {x}, out);
      case ActivationKind::leaky_relu:
        if (f32) {
          auto* n = node("LeakyRelu", {x}, out);
          attr(n, "alpha", float(a.alpha));
          return out;
        }
        return where_positive(op("Mul", {x, scalar(a.alpha)}));
      case ActivationKind::elu:
        if (f32) {
          auto* n = node("Elu", {x}, out);
          attr(n, "alpha", float(a.alpha));
          return out;
        }
        return where_positive(op("Mul", {scalar(a.alpha), op("Sub", {op("Exp", {x}), scalar(1)})}));
      case ActivationKind::selu:
        if (f32) {
          auto* n = node("Selu", {x}, out);
          attr(n, "alpha", float(kSeluAlpha));
          attr(n, "gamma", float(kSeluScale));
          return out;
        }
        return op("Where", {op("Greater", {x, scalar(0)}), op("Mul", {scalar(kSeluScale), x}),
                            op("Mul", {scalar(kSeluScale * kSeluAlpha), op("Sub", {op("Exp", {x}), scalar(1)})})},
                  out);
      case ActivationKind::celu:
        if (f32) {
          auto* n = node("Celu", {x}, out);
          attr(n, "alpha", float(a.alpha));
          return out;
        }
        return where_positive(
            op("Mul", {scalar(a.alpha), op("Sub", {op("Exp", {op("Div", {x, scalar(a.alpha)})}), scalar(1)})}));
      case ActivationKind::gelu: {
        // x * 0.5 * (1 + erf(x / sqrt 2)); ONNX Runtime has Erf in float only: a float64 model
        // computes erf in float (about 1e-7 relative).
        std::string e = op("Mul", {x, scalar(kInvSqrt2)});
        if (!f32) e = cast(op("Erf", {cast(e, ::onnx::TensorProto::FLOAT)}), kType);
        else e = op("Erf", {e});
        return op("Mul", {x, op("Mul", {scalar(0.5), op("Add", {scalar(1), e})})}, out);
      }
      case ActivationKind::gelu_tanh: {
        // x * sigmoid(2 u), u = sqrt(2/pi) (x + 0.044715 x^3), the cube as ((0.044715 x) x) x.
        const std::string cube = op("Mul", {op("Mul", {op("Mul", {scalar(kGeluKappa), x}), x}), x});
        const std::string u = op("Mul", {scalar(kSqrt2OverPi), op("Add", {x, cube})});
        return op("Mul", {x, op("Sigmoid", {op("Mul", {scalar(2), u})})}, out);
      }
      case ActivationKind::sigmoid: return op("Sigmoid", {x}, out);
      case ActivationKind::tanh: return op("Tanh", {x}, out);
      case ActivationKind::hard_sigmoid: return op("Div", {clip(op("Add", {x, scalar(3)}), 0, 6), scalar(6)}, out);
      case ActivationKind::hard_tanh: return op("Clip", {x, scalar(-1), scalar(1)}, out);
      case ActivationKind::relu6: return op("Clip", {x, scalar(0), scalar(6)}, out);
      case ActivationKind::softplus: {
        // beta x > threshold ? x : (max(beta x, 0) + log1p(exp(-|beta x|))) / beta
        const std::string bx = op("Mul", {scalar(a.beta), x});
        const std::string soft = op("Div", {op("Add", {op("Relu", {bx}), log1p_exp_neg_abs(bx)}), scalar(a.beta)});
        return op("Where", {op("Greater", {bx, scalar(a.threshold)}), x, soft}, out);
      }
      case ActivationKind::softsign: return op("Div", {x, op("Add", {scalar(1), op("Abs", {x})})}, out);
      case ActivationKind::silu:
        // In double, sigmoid from its formula: ONNX Runtime fuses x * Sigmoid(x) into a
        // float-only QuickGelu kernel and then cannot run a double model.
        return op("Mul", {x, f32 ? op("Sigmoid", {x}) : sigmoid_formula(x)}, out);
      case ActivationKind::mish: {
        // x > 20 ? x : x n / (n + 2), n = e (e + 2), e = exp(x)
        const std::string e = op("Exp", {x});
        const std::string n = op("Mul", {e, op("Add", {e, scalar(2)})});
        const std::string m = op("Mul", {x, op("Div", {n, op("Add", {n, scalar(2)})})});
        return op("Where", {op("Greater", {x, scalar(kMishLinearAbove)}), x, m}, out);
      }
      case ActivationKind::hard_swish:
        return op("Div", {op("Mul", {x, clip(op("Add", {x, scalar(3)}), 0, 6)}), scalar(6)}, out);
      case ActivationKind::log_sigmoid:
        return op("Sub", {op("Min", {x, scalar(0)}), log1p_exp_neg_abs(x)}, out);
      case ActivationKind::softmax: {
        auto* n = node("Softmax", {x}, out);
        attr(n, "axis", std::int64_t{1});
        return out;
      }
      case ActivationKind::log_softmax: {
        auto* n = node("LogSoftmax", {x}, out);
        attr(n, "axis", std::int64_t{1});
        return out;
      }
    }
    throw InvalidArgument("ONNX export: unknown activation " + a.name());
  }

  // sigmoid_pair's: e = exp(-|x|), x >= 0 ? 1 / (1 + e) : e / (1 + e).
  std::string sigmoid_formula(const std::string& x) {
    const std::string e = op("Exp", {op("Neg", {op("Abs", {x})})});
    const std::string d = op("Add", {scalar(1), e});
    return op("Where", {op("GreaterOrEqual", {x, scalar(0)}), op("Div", {scalar(1), d}), op("Div", {e, d})});
  }

  std::string cast(const std::string& x, int to) {
    auto* n = node("Cast", {x});
    attr(n, "to", std::int64_t{to});
    return n->output(0);
  }

 private:
  static std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

  ::onnx::GraphProto& g_;
  std::map<std::string, int> stems_;
  std::map<double, std::string> scalars_;
};

void value_info(::onnx::ValueInfoProto* v, const std::string& name, int type, std::vector<std::int64_t> dims,
                const std::string& doc) {
  v->set_name(name);
  if (!doc.empty()) v->set_doc_string(doc);
  auto* t = v->mutable_type()->mutable_tensor_type();
  t->set_elem_type(type);
  auto* shape = t->mutable_shape();
  shape->add_dim()->set_dim_param("N");
  for (std::int64_t d : dims) shape->add_dim()->set_dim_value(d);
}

std::string json_list(const std::vector<std::string>& names) { return nlohmann::json(names).dump(); }

void metadata(::onnx::ModelProto& m, const std::string& key, const std::string& value) {
  auto* p = m.add_metadata_props();
  p->set_key(key);
  p->set_value(value);
}

// The sections of an export, in graph order, each adding its nodes through the Builder: the
// inputs (imputation, the text columns' one-hot codes), the scaling, the layers, the outputs, and
// the model's metadata.
template <typename T>
struct Sections {
  const io::ModelDescription& d;
  const Model<T>& model;
  ::onnx::ModelProto& m;
  ::onnx::GraphProto& g;
  Builder<T>& b;
  const io::ExportedInputs in = io::exported_inputs(d.preprocessor);  // the input columns of each kind, in order
  const bool columns = !d.preprocessor.columns.empty();
  static constexpr int kType = Builder<T>::kType;

  // The numeric columns (NaN is missing), imputed, and the text columns ("" is missing) encoded:
  // the value holding the encoded features.
  std::string inputs() {
    const Preprocessor& pre = d.preprocessor;
    const auto& [numeric, text, fill] = in;
    const std::size_t features = columns ? numeric.size() : model.inputs();
    std::string x;
    if (features > 0) {
      value_info(g.add_input(), "features", kType, {static_cast<std::int64_t>(features)},
                 columns ? "the numeric input columns, in order: " + json_list(numeric) + "; NaN for a missing value"
                         : "the model's inputs, as mlp predict reads them");
      x = "features";
      if (columns && pre.missing != MissingPolicy::error)
        x = b.op("Where", {b.op("IsNaN", {x}), b.constant("fill", fill, {static_cast<std::int64_t>(fill.size())}), x}, "imputed");
    }
    if (text.empty()) return x;
    value_info(g.add_input(), "categories", ::onnx::TensorProto::STRING, {static_cast<std::int64_t>(text.size())},
               "the text input columns, in order: " + json_list(text) + "; \"\" for a missing value");
    auto* ml = m.add_opset_import();
    ml->set_domain("ai.onnx.ml");
    ml->set_version(3);
    auto* cat = b.node("Concat", column_pieces(x), "encoded");
    Builder<T>::attr(cat, "axis", std::int64_t{1});
    return "encoded";
  }

  // Each column's piece in order: runs of numeric columns gathered from x, one-hot codes.
  std::vector<std::string> column_pieces(const std::string& x) {
    const Preprocessor& pre = d.preprocessor;
    std::vector<std::string> pieces;
    std::int64_t src = 0, k = 0;
    for (std::size_t i = 0; i < pre.columns.size();) {
      const ColumnEncoding& c = pre.columns[i];
      if (!c.categorical()) {
        std::vector<std::int64_t> idx;
        for (; i < pre.columns.size() && !pre.columns[i].categorical(); ++i) idx.push_back(src++);
        auto* n = b.node("Gather", {x, b.int64s("numeric_columns", idx)});
        Builder<T>::attr(n, "axis", std::int64_t{1});
        pieces.push_back(n->output(0));
        continue;
      }
      // categories[:, k] -> index (LabelEncoder; "" -> the fill category, unseen -> -1) ->
      // one-hot (index == 0..width-1, all false for -1) -> T.
      auto* col = b.node("Gather", {"categories", b.int64s("text_column", {k})});
      Builder<T>::attr(col, "axis", std::int64_t{1});
      auto* enc = b.node("LabelEncoder", {col->output(0)}, b.name("category_index"), "ai.onnx.ml");
      auto* keys = enc->add_attribute();
      keys->set_name("keys_strings");
      keys->set_type(::onnx::AttributeProto::STRINGS);
      auto* values = enc->add_attribute();
      values->set_name("values_int64s");
      values->set_type(::onnx::AttributeProto::INTS);
      for (std::size_t j = 0; j < c.categories.size(); ++j) keys->add_strings(c.categories[j]), values->add_ints(std::int64_t(j));
      keys->add_strings("");
      values->add_ints(std::lower_bound(c.categories.begin(), c.categories.end(), c.fill_category) - c.categories.begin());
      Builder<T>::attr(enc, "default_int64", std::int64_t{-1});
      std::vector<std::int64_t> range(c.categories.size());
      for (std::size_t j = 0; j < range.size(); ++j) range[j] = std::int64_t(j);
      pieces.push_back(b.cast(b.op("Equal", {enc->output(0), b.int64s("categories_of_" + std::to_string(k), range)}), kType));
      ++i, ++k;
    }
    return pieces;
  }

  // Feature scaling, when the model has one.
  std::string scaling(std::string x) {
    const Preprocessor& pre = d.preprocessor;
    if (pre.scaler.active()) {
      const auto w = static_cast<std::int64_t>(pre.scaler.offset.size());
      x = b.op("Div", {b.op("Sub", {x, b.constant("feature_offset", pre.scaler.offset, {w})}),
                       b.constant("feature_scale", pre.scaler.scale, {w})},
               "scaled");
    }
    return x;
  }

  // The network: one Gemm and its activation per layer.
  std::string network(std::string x) {
    const auto layers = io::exported_layers(model);
    for (std::size_t i = 0; i < layers.size(); ++i) {
      const auto& l = layers[i];
      const std::string id = std::to_string(i);
      const std::vector<double> w(l.weight.begin(), l.weight.end()), bias(l.bias.begin(), l.bias.end());
      auto* gemm = b.node("Gemm",
                          {x, b.constant("layers." + id + ".weight", w, {std::int64_t(l.outputs), std::int64_t(l.inputs)}),
                           b.constant("layers." + id + ".bias", bias, {std::int64_t(l.outputs)})},
                          "layer" + id);
      Builder<T>::attr(gemm, "transB", std::int64_t{1});
      x = b.activation(l.activation, gemm->output(0), (i + 1 < layers.size() ? "hidden" : "output") + id);
    }
    return x;
  }

  // The output side: targets in their units, or probabilities and the class.
  void outputs(std::string x) {
    const std::int64_t outputs = static_cast<std::int64_t>(model.outputs());
    if (!d.classification) {
      if (!d.target_offset.empty())
        x = b.op("Add", {b.op("Mul", {x, b.constant("target_scale", d.target_scale, {outputs})}),
                         b.constant("target_offset", d.target_offset, {outputs})},
                 "predictions");
      else
        x = b.op("Identity", {x}, "predictions");
      value_info(g.add_output(), "predictions", kType, {outputs},
                 "the predicted targets in their own units: " + json_list(d.target_names));
    } else {
      switch (d.loss.kind) {
        case LossKind::cross_entropy: x = b.activation(Activation(ActivationKind::softmax), x, b.name("softmax")); break;
        case LossKind::nll: x = b.op("Exp", {x}); break;
        case LossKind::bce_with_logits: x = b.op("Sigmoid", {x}); break;
        default: break;
      }
      const std::int64_t classes = static_cast<std::int64_t>(d.class_names.size());
      if (outputs == 1 && classes == 2) {
        auto* n = b.node("Concat", {b.op("Sub", {b.scalar(1), x}), x}, "probabilities");
        Builder<T>::attr(n, "axis", std::int64_t{1});
      } else {
        b.op("Identity", {x}, "probabilities");
      }
      auto* arg = b.node("ArgMax", {"probabilities"}, "label");
      Builder<T>::attr(arg, "axis", std::int64_t{1});
      Builder<T>::attr(arg, "keepdims", std::int64_t{0});
      value_info(g.add_output(), "probabilities", kType, {classes}, "the class probabilities, in the order of " + json_list(d.class_names));
      auto* label = g.add_output();
      label->set_name("label");
      label->set_doc_string("the predicted class's index (the first of equal probabilities)");
      auto* lt = label->mutable_type()->mutable_tensor_type();
      lt->set_elem_type(::onnx::TensorProto::INT64);
      lt->mutable_shape()->add_dim()->set_dim_param("N");
    }
  }

  void metadata_props() {
    const auto& [numeric, text, fill] = in;
    m.set_doc_string("an mlp.cpp model: " + std::string(d.classification ? "classification" : "regression") +
                     "; metadata_props hold the column and class names and the whole description");
    metadata(m, "mlp.version", version());
    metadata(m, "mlp.features", json_list(numeric.empty() && !columns ? d.feature_names : numeric));
    if (!text.empty()) metadata(m, "mlp.categories", json_list(text));
    if (d.classification) metadata(m, "mlp.classes", json_list(d.class_names));
    if (!d.classification) metadata(m, "mlp.targets", json_list(d.target_names));
    metadata(m, "mlp.description", io::description_json(d));
  }
};

template <typename T>
std::string build(const Pipeline& pipeline, const Model<T>& model) {
  ::onnx::ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("mlp.cpp");
  m.set_producer_version(version());
  m.set_model_version(1);
  m.add_opset_import()->set_version(17);
  ::onnx::GraphProto& g = *m.mutable_graph();
  g.set_name("mlp");
  Builder<T> b(g);
  Sections<T> s{pipeline.description(), model, m, g, b};
  s.outputs(s.network(s.scaling(s.inputs())));
  s.metadata_props();
  std::string bytes;
  if (!m.SerializeToString(&bytes)) throw Error("ONNX export: the model could not be serialized (over 2 GiB?)");
  return bytes;
}

}  // namespace

bool onnx_available() { return true; }

std::string export_onnx(const Pipeline& model) {
  return std::visit([&](const auto& network) { return build(model, network); }, model.network());
}

void save_onnx(const Pipeline& model, const std::string& path) { io::write_file_atomic(path, export_onnx(model)); }

}  // namespace mlp
