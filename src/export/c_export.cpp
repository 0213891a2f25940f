// Writing a model as C99 source: the weights as static const arrays, one predict function.
// The arithmetic follows the library's step for step (Preprocessor::encode, Scaler::transform,
// dense_forward, src/nn/activation.cpp's formulas, loss_probabilities), in the model's precision.
#include "mlp/export/c_export.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <type_traits>

#include "mlp/nn/activation.h"
#include "mlp/core/error.h"
#include "export/exported_layers.h"
#include "mlp/core/version.h"

namespace mlp::io {
namespace {

using namespace activation_constants;  // the numbers src/nn/activation.cpp computes with

// A double as a C literal of type T that reads back as T(v) exactly.
template <typename T>
std::string literal(double v) {
  const T x = static_cast<T>(v);
  constexpr bool f = std::is_same_v<T, float>;
  if (std::isnan(x)) return "NAN";
  if (std::isinf(x)) return std::string(x < 0 ? "-" : "") + (f ? "HUGE_VALF" : "HUGE_VAL");
  char buf[40];
  std::snprintf(buf, sizeof buf, f ? "%.9g" : "%.17g", static_cast<double>(x));
  std::string s = buf;
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return f ? s + "f" : s;
}

// A string as a C string literal: printable ASCII as it is (with \" \\ and \? escaped, the last
// against trigraphs), everything else as a three-digit octal escape.
std::string c_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\' || c == '?') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03o", c);
      out += buf;
    }
  }
  return out + "\"";
}

// Text safe inside a /* */ comment on one line: no "*/", no line breaks, no trigraphs.
std::string comment_text(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    char ch = (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
    if ((ch == '/' && !out.empty() && out.back() == '*') || (ch == '?' && !out.empty() && out.back() == '?')) out += ' ';
    out += ch;
  }
  return out;
}

std::string quoted_list(const std::vector<std::string>& names, std::size_t limit = 12) {
  std::string s;
  for (std::size_t i = 0; i < names.size() && i < limit; ++i) s += (i ? ", " : "") + comment_text(names[i]);
  if (names.size() > limit) s += ", ... (" + std::to_string(names.size()) + " in all)";
  return s;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

template <typename T>
struct Emitter {
  const ModelDescription& d;
  const Model<T>& model;
  std::string n;   // the identifier prefix
  std::string N;   // its upper case
  std::string t;   // "float" / "double"
  std::string fs;  // math function suffix: "f" / ""
  std::string code;
  std::vector<std::string> helpers;    // helper function definitions, in order
  std::map<std::string, bool> wanted;  // helpers emitted

  std::string L(double v) const { return literal<T>(v); }
  std::string fn(const char* name) const { return name + fs; }

  void array(const std::string& name, const std::string& comment, const std::vector<double>& v) {
    if (!comment.empty()) code += "/* " + comment + " */\n";
    code += "static const " + t + " " + n + "_" + name + "[" + std::to_string(v.size()) + "] = {";
    for (std::size_t i = 0; i < v.size(); ++i) code += std::string(i % 8 ? " " : "\n    ") + L(v[i]) + (i + 1 < v.size() ? "," : "");
    code += "\n};\n\n";
  }

  template <typename U>
  void array(const std::string& name, const std::string& comment, const std::vector<U>& v) {
    array(name, comment, std::vector<double>(v.begin(), v.end()));
  }

  void string_array(const std::string& name, const std::vector<std::string>& v, bool external) {
    code += std::string(external ? "" : "static ") + "const char *const " + n + "_" + name + "[" + std::to_string(v.size()) + "] = {";
    for (std::size_t i = 0; i < v.size(); ++i) code += std::string(i % 6 ? " " : "\n    ") + c_string(v[i]) + (i + 1 < v.size() ? "," : "");
    code += "\n};\n\n";
  }

  // Adds a helper the first time it is needed.
  void need(const std::string& key, const std::string& definition) {
    if (wanted[key]) return;
    wanted[key] = true;
    helpers.push_back(definition);
  }

  void need_clamp() {
    // std::min(std::max(x, lo), hi): NaN passes through, as it does there.
    need("clamp", "static " + t + " " + n + "_clamp(" + t + " x, " + t + " lo, " + t + " hi) {\n" +
                      "    x = x < lo ? lo : x;\n    return hi < x ? hi : x;\n}\n");
  }

  void need_sigmoid() {
    need("sigmoid", "/* 1 / (1 + e^-x) from e^-|x|, which never overflows */\nstatic " + t + " " + n + "_sigmoid(" + t +
                        " x) {\n    const " + t + " e = " + fn("exp") + "(-" + fn("fabs") + "(x));\n    return x >= " + L(0) +
                        " ? " + L(1) + " / (" + L(1) + " + e) : e / (" + L(1) + " + e);\n}\n");
  }

  void need_row(const char* kind) {
    const std::string name = n + "_" + kind;
    const bool log = std::string(kind) == "log_softmax";
    std::string body = "static void " + name + "(" + t + " *x, int n) {\n    int i;\n    " + t + " m = x[0], sum = " + L(0) +
                       ";\n    for (i = 1; i < n; ++i) m = m < x[i] ? x[i] : m;\n";
    if (log)
      body += "    for (i = 0; i < n; ++i) sum += " + fn("exp") + "(x[i] - m);\n    sum = " + fn("log") +
              "(sum);\n    for (i = 0; i < n; ++i) x[i] = (x[i] - m) - sum;\n}\n";
    else
      body += "    for (i = 0; i < n; ++i) {\n        x[i] = " + fn("exp") + "(x[i] - m);\n        sum += x[i];\n    }\n" +
              "    sum = " + L(1) + " / sum;\n    for (i = 0; i < n; ++i) x[i] *= sum;\n}\n";
    need(kind, body);
  }

  // The C statements computing r from v for an elementwise activation (src/nn/activation.cpp's f).
  std::string elementwise(const Activation& a) {
    const std::string E = fn("exp"), Em1 = fn("expm1"), Abs = fn("fabs"), Log1p = fn("log1p");
    const std::string zero = L(0), one = L(1);
    switch (a.kind) {
      case ActivationKind::relu: return "r = v < " + zero + " ? " + zero + " : v;";
      case ActivationKind::leaky_relu: return "r = v > " + zero + " ? v : v * " + L(T(a.alpha)) + ";";
      case ActivationKind::elu: return "r = v > " + zero + " ? v : " + L(T(a.alpha)) + " * " + Em1 + "(v);";
      case ActivationKind::selu:
        return "r = v > " + zero + " ? " + L(T(kSeluScale)) + " * v : " + L(T(kSeluScale * kSeluAlpha)) + " * " + Em1 + "(v);";
      case ActivationKind::celu:
        return "r = v > " + zero + " ? v : " + L(T(a.alpha)) + " * " + Em1 + "(v / " + L(T(a.alpha)) + ");";
      case ActivationKind::gelu:
        return "r = v * (" + L(0.5) + " * " + fn("erfc") + "(-v * " + L(T(kInvSqrt2)) + "));";
      case ActivationKind::gelu_tanh:
        need_sigmoid();
        return "r = v * " + n + "_sigmoid(" + L(2) + " * (" + L(T(kSqrt2OverPi)) + " * (v + " + L(T(kGeluKappa)) +
               " * v * v * v)));";
      case ActivationKind::sigmoid: need_sigmoid(); return "r = " + n + "_sigmoid(v);";
      case ActivationKind::tanh: return "r = " + fn("tanh") + "(v);";
      case ActivationKind::hard_sigmoid:
        need_clamp();
        return "r = " + n + "_clamp(v + " + L(3) + ", " + zero + ", " + L(6) + ") / " + L(6) + ";";
      case ActivationKind::hard_tanh: need_clamp(); return "r = " + n + "_clamp(v, " + L(-1) + ", " + one + ");";
      case ActivationKind::relu6: need_clamp(); return "r = " + n + "_clamp(v, " + zero + ", " + L(6) + ");";
      case ActivationKind::softplus: {
        const std::string beta = L(T(a.beta));
        return "{\n            const " + t + " bv = " + beta + " * v;\n            r = bv > " + L(T(a.threshold)) + " ? v : ((bv < " +
               zero + " ? " + zero + " : bv) + " + Log1p + "(" + E + "(-" + Abs + "(bv)))) / " + beta + ";\n        }";
      }
      case ActivationKind::softsign: return "r = v / (" + one + " + " + Abs + "(v));";
      case ActivationKind::silu: need_sigmoid(); return "r = v * " + n + "_sigmoid(v);";
      case ActivationKind::mish:
        return "if (v > " + L(kMishLinearAbove) + ") {\n            r = v;\n        } else {\n            const " + t + " e = " + E +
               "(v), m = e * (e + " + L(2) + ");\n            r = v * (m / (m + " + L(2) + "));\n        }";
      case ActivationKind::hard_swish:
        need_clamp();
        return "r = v * " + n + "_clamp(v + " + L(3) + ", " + zero + ", " + L(6) + ") / " + L(6) + ";";
      case ActivationKind::log_sigmoid:
        return "r = (" + zero + " < v ? " + zero + " : v) - " + Log1p + "(" + E + "(-" + Abs + "(v)));";
      default: throw InvalidArgument("C export: no elementwise form of activation " + a.name());
    }
  }

  // The statement applying activation a in place to x[0..width).
  std::map<std::string, std::string> activation_functions;  // activation name -> helper name
  std::string activation_call(const Activation& a, const std::string& x, std::size_t width) {
    if (a.kind == ActivationKind::identity) return "";
    if (a.kind == ActivationKind::softmax || a.kind == ActivationKind::log_softmax) {
      need_row(a.kind == ActivationKind::softmax ? "softmax" : "log_softmax");
      return "    " + n + "_" + (a.kind == ActivationKind::softmax ? "softmax" : "log_softmax") + "(" + x + ", " + std::to_string(width) + ");\n";
    }
    auto it = activation_functions.find(a.name());
    if (it == activation_functions.end()) {
      const std::string name = n + "_activation_" + std::to_string(activation_functions.size());
      const std::string statement = elementwise(a);  // may add helpers used by this one
      helpers.push_back("/* " + comment_text(a.name()) + " */\nstatic void " + name + "(" + t + " *x, int n) {\n    int i;\n" +
                        "    for (i = 0; i < n; ++i) {\n        const " + t + " v = x[i];\n        " + t + " r;\n        " + statement +
                        "\n        x[i] = r;\n    }\n}\n");
      it = activation_functions.emplace(a.name(), name).first;
    }
    return "    " + it->second + "(" + x + ", " + std::to_string(width) + ");\n";
  }

  // What the sections read: the network's layers and sizes, the input columns by kind, the task.
  struct Plan {
    std::vector<ExportedLayer<T>> layers;
    std::size_t inputs = 0, outputs = 0;
    std::vector<std::string> numeric, text;  // the input columns of each kind, in order
    std::vector<double> fill;                // the numeric columns' values for a missing one
    bool columns = false, impute = false, classification = false, binary = false;
    std::size_t features = 0, classes = 0, out_count = 0, width = 0;  // width: the widest layer
  };

  Plan plan() const {
    Plan p;
    const Preprocessor& pre = d.preprocessor;
    p.layers = exported_layers(model);
    p.inputs = model.inputs();
    p.outputs = model.outputs();
    auto [numeric, text, fill] = exported_inputs(pre);
    p.numeric = std::move(numeric), p.text = std::move(text), p.fill = std::move(fill);
    p.columns = !pre.columns.empty();
    p.features = p.columns ? p.numeric.size() : p.inputs;
    p.impute = p.columns && pre.missing != MissingPolicy::error;
    p.classification = d.classification;
    p.classes = d.class_names.size();
    p.binary = p.classification && p.outputs == 1 && p.classes == 2;
    p.out_count = p.binary ? 2 : p.outputs;
    p.width = p.inputs;
    for (const auto& l : p.layers) p.width = std::max(p.width, l.outputs);
    return p;
  }

  // model.c's data: fill values, categories, scaling, weights, target scaling, names.
  void data_section(const Plan& p) {
    const Preprocessor& pre = d.preprocessor;
    const auto& [layers, inputs, outputs, numeric, text, fill, columns, impute, classification, binary, features, classes,
                 out_count, width] = p;
    if (impute && !numeric.empty()) array("fill", "numeric columns: the value of a missing one (the training mean)", fill);
    for (std::size_t k = 0, i = 0; i < pre.columns.size(); ++i) {
      const ColumnEncoding& c = pre.columns[i];
      if (!c.categorical()) continue;
      code += "/* text column " + std::to_string(k) + ", " + comment_text(c.name) +
              ": its categories in byte order (strcmp's); a missing value is " + comment_text(c.fill_category) + " */\n";
      string_array("categories_" + std::to_string(k), c.categories, false);
      ++k;
    }
    if (pre.scaler.active())
      array("offset", "feature scaling (" + scale_name(pre.scaler.kind) + "): x' = (x - offset) / scale, per encoded feature",
            pre.scaler.offset),
          array("scale", "", pre.scaler.scale);
    for (std::size_t i = 0; i < layers.size(); ++i) {
      const auto& l = layers[i];
      const std::string shape = std::to_string(l.outputs) + ", " + std::to_string(l.inputs);
      array("weight_" + std::to_string(i),
            "layer " + std::to_string(i) + ": weight (" + shape + ") as torch.nn.Linear's" +
                (model.has_batch_norm(i) ? ", batch normalization folded in" : ""),
            l.weight);
      array("bias_" + std::to_string(i), "layer " + std::to_string(i) + ": bias", l.bias);
    }
    if (!classification && !d.target_offset.empty()) {
      array("target_scale", "targets: y = output * scale + offset", d.target_scale);
      array("target_offset", "", d.target_offset);
    }
    if (columns && !numeric.empty()) string_array("feature_names", numeric, true);
    if (!text.empty()) string_array("category_names", text, true);
    if (classification) string_array("class_names", d.class_names, true);
    if (!classification && d.target_names.size() == outputs) string_array("target_names", d.target_names, true);
  }

  // The predict function's preprocessing: each column's encoding (Preprocessor::encode), then the scaler.
  std::string inputs_section(const Plan& p) {
    const Preprocessor& pre = d.preprocessor;
    const auto& [layers, inputs, outputs, numeric, text, fill, columns, impute, classification, binary, features, classes,
                 out_count, width] = p;
    std::string body;
    body += "    " + t + " a[" + std::to_string(width) + "], b[" + std::to_string(width) + "];\n";
    body += "    " + t + " *x = a, *y = b, *swap;\n";
    body += "    int i;\n";
    if (features == 0) body += "    (void)features;\n";
    if (!columns) {
      body += "    for (i = 0; i < " + std::to_string(inputs) + "; ++i) x[i] = features[i];\n";
    } else {
      std::size_t at = 0, src = 0, k = 0;
      for (std::size_t i = 0; i < pre.columns.size();) {
        const ColumnEncoding& c = pre.columns[i];
        if (c.categorical()) {
          body += "    " + n + "_one_hot(x + " + std::to_string(at) + ", categories[" + std::to_string(k) + "], " + n + "_categories_" +
                  std::to_string(k) + ", " + std::to_string(c.categories.size()) + ", " +
                  std::to_string(std::lower_bound(c.categories.begin(), c.categories.end(), c.fill_category) - c.categories.begin()) +
                  ");  /* " + comment_text(c.name) + " */\n";
          at += c.width(), ++k, ++i;
          continue;
        }
        std::size_t run = 0;
        while (i + run < pre.columns.size() && !pre.columns[i + run].categorical()) ++run;
        const std::string s = src ? " + " + std::to_string(src) : "", dst = at ? " + " + std::to_string(at) : "";
        if (impute)
          body += "    for (i = 0; i < " + std::to_string(run) + "; ++i) x[i" + dst + "] = isnan(features[i" + s + "]) ? " + n +
                  "_fill[i" + s + "] : features[i" + s + "];\n";
        else
          body += "    for (i = 0; i < " + std::to_string(run) + "; ++i) x[i" + dst + "] = features[i" + s + "];\n";
        at += run, src += run, i += run;
      }
    }
    if (!text.empty()) {
      need("compare", "/* strcmp, without <string.h> */\nstatic int " + n +
                          "_compare(const char *p, const char *q) {\n    while (*p && *p == *q) ++p, ++q;\n" +
                          "    return (unsigned char)*p - (unsigned char)*q;\n}\n");
      need("one_hot", "/* one-hot: 1 at value's category, all 0 for an unseen one; NULL or \"\" is missing: the fill category */\n"
                      "static void " + n + "_one_hot(" + t + " *x, const char *value, const char *const *names, int n, int fill) {\n" +
                      "    int lo = 0, hi = n, i;\n    for (i = 0; i < n; ++i) x[i] = " + L(0) + ";\n" +
                      "    if (value == 0 || value[0] == '\\0') {\n        x[fill] = " + L(1) + ";\n        return;\n    }\n" +
                      "    while (lo < hi) {\n        const int mid = lo + (hi - lo) / 2, c = " + n + "_compare(names[mid], value);\n" +
                      "        if (c == 0) {\n            x[mid] = " + L(1) + ";\n            return;\n        }\n" +
                      "        if (c < 0)\n            lo = mid + 1;\n        else\n            hi = mid;\n    }\n}\n");
    }
    if (pre.scaler.active())
      body += "    for (i = 0; i < " + std::to_string(inputs) + "; ++i) x[i] = (x[i] - " + n + "_offset[i]) / " + n + "_scale[i];\n";
    return body;
  }

  // The layers, ping-ponging between a and b.
  std::string layers_section(const Plan& p) {
    std::string body;
    need("dense", "/* y (n_out) = W x + bias, W (n_out, n_in) */\nstatic void " + n + "_dense(" + t + " *y, const " + t + " *x, const " +
                      t + " *w, const " + t + " *bias, int n_in, int n_out) {\n    int o, i;\n    for (o = 0; o < n_out; ++o) {\n" +
                      "        " + t + " s = " + L(0) + ";\n        for (i = 0; i < n_in; ++i) s += w[o * n_in + i] * x[i];\n" +
                      "        y[o] = s + bias[o];\n    }\n}\n");
    for (std::size_t i = 0; i < p.layers.size(); ++i) {
      const auto& l = p.layers[i];
      const std::string id = std::to_string(i);
      body += "    " + n + "_dense(y, x, " + n + "_weight_" + id + ", " + n + "_bias_" + id + ", " + std::to_string(l.inputs) + ", " +
              std::to_string(l.outputs) + ");\n";
      body += activation_call(l.activation, "y", l.outputs);
      body += "    swap = x, x = y, y = swap;\n";
    }
    return body;
  }

  // The outputs: targets in their units, or probabilities (loss_probabilities) and the class.
  std::string outputs_section(const Plan& p) {
    const std::size_t outputs = p.outputs;
    std::string body;
    if (!p.classification) {
      if (d.target_offset.empty())
        body += "    for (i = 0; i < " + std::to_string(outputs) + "; ++i) outputs[i] = x[i];\n    return 0;\n";
      else
        body += "    for (i = 0; i < " + std::to_string(outputs) + "; ++i) outputs[i] = x[i] * " + n + "_target_scale[i] + " + n +
                "_target_offset[i];\n    return 0;\n";
    } else {
      switch (d.loss.kind) {
        case LossKind::cross_entropy: body += activation_call(Activation(ActivationKind::softmax), "x", outputs); break;
        case LossKind::nll: body += "    for (i = 0; i < " + std::to_string(outputs) + "; ++i) x[i] = " + fn("exp") + "(x[i]);\n"; break;
        case LossKind::bce_with_logits: body += activation_call(Activation(ActivationKind::sigmoid), "x", outputs); break;
        default: break;
      }
      if (p.binary) {
        body += "    outputs[0] = " + L(1) + " - x[0];\n    outputs[1] = x[0];\n    return x[0] > outputs[0] ? 1 : 0;\n";
      } else {
        body += "    {\n        int best = 0;\n        for (i = 0; i < " + std::to_string(outputs) +
                "; ++i) {\n            outputs[i] = x[i];\n            if (x[i] > x[best]) best = i;\n        }\n" +
                "        return best;\n    }\n";
      }
    }
    return body;
  }

  // model.h: what the network is, how to call it, the sizes and names it exports.
  std::string header_section(const Plan& p, const std::string& signature) const {
    const Preprocessor& pre = d.preprocessor;
    const auto& [layers, inputs, outputs, numeric, text, fill, columns, impute, classification, binary, features, classes,
                 out_count, width] = p;
    const ModelConfig& c = model.config();
    std::string shape, hidden;
    for (std::size_t i = 0; i < c.sizes.size(); ++i) shape += (i ? "-" : "") + std::to_string(c.sizes[i]);
    for (std::size_t i = 0; i + 1 < layers.size(); ++i) hidden += (i ? ", " : "") + layers[i].activation.name();
    const std::size_t stack = 2 * width * sizeof(T);
    std::string h = "/* " + n + ".h: an mlp.cpp model as dependency-free C99, generated by mlp " + version() + " (mlp export).\n *\n";
    h += " * Network: " + shape + (hidden.empty() ? "" : ", hidden " + hidden) + ", output " + c.output.name() + "; " +
         (std::is_same_v<T, float> ? "float32" : "float64") + (c.batch_norm ? "; batch normalization folded into the weights" : "") +
         ".\n *\n";
    h += " *   int " + n + "_predict(const " + t + " *features, " + (text.empty() ? "" : "const char *const *categories, ") + t +
         " *outputs);\n *\n";
    if (columns) {
      h += " * features: " + N + "_FEATURES values, the numeric input columns in this order: " +
           (numeric.empty() ? std::string("none") : quoted_list(numeric)) + "\n";
      if (impute) h += " *   (NaN for a missing value: it becomes the column's training mean; isnan from <math.h>)\n";
      if (!text.empty())
        h += " * categories: " + N + "_CATEGORIES strings, the text input columns in this order: " + quoted_list(text) +
             "\n *   (NULL or \"\" for a missing value: the most frequent category; a category not seen in\n"
             " *   training encodes as all zeros)\n";
    } else {
      h += " * features: " + N + "_FEATURES values, the model's inputs as `mlp predict` reads them\n";
    }
    if (pre.scaler.active()) h += " *   then scaled (" + scale_name(pre.scaler.kind) + ") as in training.\n";
    if (classification)
      h += " * outputs: " + N + "_OUTPUTS values, the probabilities of the classes " + quoted_list(d.class_names) + " (" + n +
           "_class_names).\n * Returns the predicted class's index (the first of equal probabilities).\n";
    else
      h += " * outputs: " + N + "_OUTPUTS values, the predicted targets in their own units" +
           (d.target_names.size() == outputs ? " (" + quoted_list(d.target_names) + ")" : std::string()) + ".\n * Returns 0.\n";
    h += " *\n * Stack: two arrays of " + std::to_string(width) + " " + t + " (" + std::to_string(stack) +
         " bytes) and a few scalars. No allocation, no\n * global state (re-entrant); the weights are static const (read-only memory).\n */\n";
    h += "#ifndef " + N + "_H\n#define " + N + "_H\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
    h += "#define " + N + "_FEATURES " + std::to_string(features) + "\n";
    h += "#define " + N + "_CATEGORIES " + std::to_string(text.size()) + "\n";
    h += "#define " + N + "_OUTPUTS " + std::to_string(out_count) + "\n";
    h += "#define " + N + "_CLASSES " + std::to_string(classification ? classes : 0) + "  /* 0: regression */\n";
    h += "#define " + N + "_STACK_BYTES " + std::to_string(stack) + "\n\n";
    if (columns && !numeric.empty()) h += "extern const char *const " + n + "_feature_names[" + N + "_FEATURES];\n";
    if (!text.empty()) h += "extern const char *const " + n + "_category_names[" + N + "_CATEGORIES];\n";
    if (classification) h += "extern const char *const " + n + "_class_names[" + N + "_CLASSES];\n";
    if (!classification && d.target_names.size() == outputs) h += "extern const char *const " + n + "_target_names[" + N + "_OUTPUTS];\n";
    h += "\n" + signature + ";\n\n#ifdef __cplusplus\n}\n#endif\n\n#endif\n";
    return h;
  }

  CSource run() {
    const Plan p = plan();
    code = "/* " + n + ".c: generated by mlp " + version() + " (mlp export); see " + n + ".h. */\n#include \"" + n +
           ".h\"\n\n#include <math.h>\n\n";
    data_section(p);
    std::string body = inputs_section(p);  // in this order: each section adds the helpers it needs
    body += layers_section(p);
    body += outputs_section(p);
    const std::string signature = "int " + n + "_predict(const " + t + " *features, " +
                                  (p.text.empty() ? "" : "const char *const *categories, ") + t + " *outputs)";
    for (const std::string& h : helpers) code += h + "\n";
    code += signature + " {\n" + body + "}\n";
    return CSource{header_section(p, signature), std::move(code)};
  }
};

bool is_identifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '_') return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

}  // namespace

std::string c_identifier(const std::string& stem) {
  std::string s;
  for (unsigned char c : stem) s += (std::isalnum(c) && c < 0x80) ? static_cast<char>(c) : '_';
  if (s.empty()) return "model";
  if (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '_') s = "m" + s;
  return s;
}

CSource export_c(const ModelDescription& description, const std::variant<Model<float>, Model<double>>& network,
                 const std::string& name) {
  if (!is_identifier(name))
    throw InvalidArgument("C export: '" + name + "' is not a C identifier (letters, digits and _, not first a digit or _)");
  if (const auto* f32 = std::get_if<Model<float>>(&network))
    return Emitter<float>{description, *f32, name, upper(name), "float", "f", {}, {}, {}, {}}.run();
  return Emitter<double>{description, std::get<Model<double>>(network), name, upper(name), "double", "", {}, {}, {}, {}}.run();
}

}  // namespace mlp::io
