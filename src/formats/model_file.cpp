// Saving and loading whole models as safetensors with an mlp description in the metadata.
#include "mlp/formats/model_file.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "mlp/core/error.h"
#include "core/file.h"
#include "mlp/formats/safetensors.h"
#include "mlp/core/version.h"

namespace mlp::io {
namespace {

using nlohmann::json;

std::string norm_name(std::size_t layer, const char* what) {
  return "norms." + std::to_string(layer) + "." + what;
}

json describe(const ModelDescription& d) {
  const ModelConfig& c = d.config;
  json hidden = json::array();
  for (const Activation& a : c.hidden_activations) hidden.push_back(a.name());
  json j;
  j["format"] = "mlp.cpp model";
  j["version"] = kModelFormatVersion;
  j["mlp_version"] = mlp::version();
  j["architecture"] = {{"sizes", c.sizes},
                       {"hidden_activations", hidden},
                       {"output_activation", c.output.name()},
                       {"dropout", c.dropout},
                       {"batch_norm", c.batch_norm},
                       {"batch_norm_momentum", c.batch_norm_momentum},
                       {"batch_norm_eps", c.batch_norm_eps}};
  j["task"] = d.classification ? "classification" : "regression";
  j["loss"] = d.loss.name();
  j["features"] = d.feature_names;
  j["targets"] = d.target_names;
  j["classes"] = d.class_names;
  const Preprocessor& pre = d.preprocessor;
  json columns = json::array();
  for (const ColumnEncoding& c : pre.columns) {
    json col = {{"name", c.name}};
    if (c.categorical())
      col.update({{"categories", c.categories}, {"fill", c.fill_category}});
    else
      col["fill"] = c.fill;
    columns.push_back(col);
  }
  j["preprocessing"] = {{"columns", columns},
                        {"missing", missing_policy_name(pre.missing)},
                        {"scale", scale_name(pre.scaler.kind)},
                        {"feature_offset", pre.scaler.offset},
                        {"feature_scale", pre.scaler.scale},
                        {"target_offset", d.target_offset},
                        {"target_scale", d.target_scale}};
  json training = json::parse(d.training_json, nullptr, false);
  j["training"] = training.is_discarded() ? json::object() : training;
  return j;
}

// The description from its JSON; throws Error naming the file and the field.
ModelDescription parse_description(const std::string& path, const std::string& text) {
  json j = json::parse(text, nullptr, false);
  auto bad = [&](const std::string& what) { return Error(path + ": model description: " + what); };
  if (j.is_discarded() || !j.is_object()) throw bad("not valid JSON");
  try {
    int version = j.at("version").get<int>();
    if (version > kModelFormatVersion)
      throw bad("format version " + std::to_string(version) + " is newer than this mlp reads (" +
                std::to_string(kModelFormatVersion) + "); upgrade mlp");
    ModelDescription d;
    d.format_version = version;
    d.mlp_version = j.value("mlp_version", std::string());
    const json& a = j.at("architecture");
    d.config.sizes = a.at("sizes").get<std::vector<std::size_t>>();
    d.config.hidden_activations.clear();
    for (const auto& name : a.at("hidden_activations")) d.config.hidden_activations.push_back(parse_activation(name.get<std::string>()));
    d.config.output = parse_activation(a.at("output_activation").get<std::string>());
    d.config.dropout = a.value("dropout", 0.0);
    d.config.batch_norm = a.value("batch_norm", false);
    d.config.batch_norm_momentum = a.value("batch_norm_momentum", 0.1);
    d.config.batch_norm_eps = a.value("batch_norm_eps", 1e-5);
    d.classification = j.at("task").get<std::string>() == "classification";
    d.loss = parse_loss(j.at("loss").get<std::string>());
    d.feature_names = j.value("features", std::vector<std::string>{});
    d.target_names = j.value("targets", std::vector<std::string>{});
    d.class_names = j.value("classes", std::vector<std::string>{});
    const json& p = j.at("preprocessing");
    Preprocessor& pre = d.preprocessor;
    for (const json& col : p.value("columns", json::array())) {
      ColumnEncoding c;
      c.name = col.at("name").get<std::string>();
      c.categories = col.value("categories", std::vector<std::string>{});
      if (c.categorical())
        c.fill_category = col.at("fill").get<std::string>();
      else
        c.fill = col.at("fill").get<double>();
      pre.columns.push_back(std::move(c));
    }
    pre.missing = parse_missing_policy(p.value("missing", std::string("impute")));
    if (!p.contains("columns") && !d.feature_names.empty()) {
      // Format 1: named numeric columns, read by name; a missing value was an error then.
      for (const std::string& name : d.feature_names) pre.columns.push_back(ColumnEncoding{name, {}, NAN, {}});
      pre.missing = MissingPolicy::error;
    }
    pre.scaler.kind = parse_scale(p.at("scale").get<std::string>());
    pre.scaler.offset = p.value("feature_offset", std::vector<double>{});
    pre.scaler.scale = p.value("feature_scale", std::vector<double>{});
    d.target_offset = p.value("target_offset", std::vector<double>{});
    d.target_scale = p.value("target_scale", std::vector<double>{});
    d.training_json = j.value("training", json::object()).dump();
    std::size_t features = d.config.sizes.empty() ? 0 : d.config.sizes.front();
    std::size_t encoded = 0;
    for (const ColumnEncoding& c : pre.columns) encoded += c.width();
    if (!pre.columns.empty() && encoded != features)
      throw bad("the input columns encode to " + std::to_string(encoded) + " features, the network has " +
                std::to_string(features) + " inputs");
    if (pre.scaler.active() && (pre.scaler.offset.size() != features || pre.scaler.scale.size() != features))
      throw bad("preprocessing statistics do not match the " + std::to_string(features) + " inputs");
    std::size_t outputs = d.config.sizes.empty() ? 0 : d.config.sizes.back();
    if (d.target_offset.size() != d.target_scale.size() ||
        (!d.target_offset.empty() && d.target_offset.size() != outputs))
      throw bad("target statistics do not match the " + std::to_string(outputs) + " outputs");
    return d;
  } catch (const json::exception& e) {
    throw bad(std::string("missing or ill-typed field (") + e.what() + ")");
  } catch (const InvalidArgument& e) {
    throw bad(e.what());
  }
}

template <typename T>
void add_tensor(SafeTensors& st, const std::string& name, std::vector<std::size_t> shape, const T* values) {
  std::size_t n = 1;
  for (std::size_t s : shape) n *= s;
  if constexpr (sizeof(T) == 4)
    st.add_f32(name, std::move(shape), std::span<const float>(values, n));
  else
    st.add_f64(name, std::move(shape), std::span<const double>(values, n));
}

template <typename T>
void copy_tensor(const SafeTensors& st, const std::string& path, const std::string& name,
                 const std::vector<std::size_t>& shape, T* out) {
  if (!st.contains(name)) throw Error(path + ": no tensor '" + name + "'");
  const Tensor& t = st.at(name);
  if (t.shape != shape) {
    auto text = [](const std::vector<std::size_t>& s) {
      std::string r = "(";
      for (std::size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
      return r + ")";
    };
    throw ShapeError(path + ": tensor '" + name + "' has shape " + text(t.shape) + ", the model needs " +
                     text(shape));
  }
  if constexpr (sizeof(T) == 4) {
    auto v = st.get_f32(name);
    std::copy(v.begin(), v.end(), out);
  } else {
    auto v = st.get_f64(name);
    std::copy(v.begin(), v.end(), out);
  }
}

// What read_description needs from the header alone: the mlp description and the stored dtype
// of the first layer's weight.
struct HeaderInfo {
  std::string mlp;           // empty: not an mlp model (or not a readable safetensors header)
  std::string weight_dtype;  // layers.0.weight's dtype ("F32", "F64", ...), empty if absent
};

HeaderInfo read_header(const std::string& path) {
  // Reads just the header: 8-byte length, then the JSON.
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  unsigned char len[8];
  if (!in.read(reinterpret_cast<char*>(len), 8)) return {};
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | len[i];
  if (n > kSafetensorsMaxHeader) return {};
  std::string header(n, '\0');
  if (!in.read(header.data(), static_cast<std::streamsize>(n))) return {};
  json j = json::parse(header, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("__metadata__")) return {};
  const json& m = j["__metadata__"];
  if (!m.is_object() || !m.contains("mlp") || !m["mlp"].is_string()) return {};
  HeaderInfo info{m["mlp"].get<std::string>(), ""};
  const auto w = j.find(weight_name(0));
  if (w != j.end() && w->is_object() && w->contains("dtype") && (*w)["dtype"].is_string())
    info.weight_dtype = (*w)["dtype"].get<std::string>();
  return info;
}

// The weights of `st` (named `path` in messages) into `model`, all or none.
template <typename T>
void copy_weights(const SafeTensors& st, const std::string& path, Model<T>& model) {
  // Read everything into a fresh model of the same shape first, so that a bad file leaves the
  // model untouched (and no forward-pass workspace is copied).
  Model<T> staging(model.config());
  for (std::size_t i = 0; i < model.num_layers(); ++i) {
    std::size_t in = model.layer_inputs(i), out = model.layer_outputs(i);
    copy_tensor(st, path, weight_name(i), {out, in}, staging.weight(i));
    copy_tensor(st, path, bias_name(i), {out}, staging.bias(i));
    if (model.has_batch_norm(i)) {
      copy_tensor(st, path, norm_name(i, "weight"), {out}, staging.norm_weight(i));
      copy_tensor(st, path, norm_name(i, "bias"), {out}, staging.norm_bias(i));
      copy_tensor(st, path, norm_name(i, "running_mean"), {out}, staging.running_mean(i));
      copy_tensor(st, path, norm_name(i, "running_var"), {out}, staging.running_var(i));
    }
  }
  std::string extra = weight_name(model.num_layers());
  if (st.contains(extra))
    throw ShapeError(path + ": the file has more layers than the model's " + std::to_string(model.num_layers()) +
                     " (found '" + extra + "')");
  std::copy(staging.parameters().begin(), staging.parameters().end(), model.parameters().begin());
  std::copy(staging.buffers().begin(), staging.buffers().end(), model.buffers().begin());
}

}  // namespace

std::string description_json(const ModelDescription& description) { return describe(description).dump(); }

std::string weight_name(std::size_t layer) { return "layers." + std::to_string(layer) + ".weight"; }
std::string bias_name(std::size_t layer) { return "layers." + std::to_string(layer) + ".bias"; }

template <typename T>
SafeTensors model_tensors(const Model<T>& model, const ModelDescription& description) {
  SafeTensors st;
  st.metadata["format"] = "pt";  // the tensors follow PyTorch's layout and names
  st.metadata["mlp"] = describe(description).dump();
  for (std::size_t i = 0; i < model.num_layers(); ++i) {
    std::size_t in = model.layer_inputs(i), out = model.layer_outputs(i);
    add_tensor(st, weight_name(i), {out, in}, model.weight(i));
    add_tensor(st, bias_name(i), {out}, model.bias(i));
    if (model.has_batch_norm(i)) {
      add_tensor(st, norm_name(i, "weight"), {out}, model.norm_weight(i));
      add_tensor(st, norm_name(i, "bias"), {out}, model.norm_bias(i));
      add_tensor(st, norm_name(i, "running_mean"), {out}, model.running_mean(i));
      add_tensor(st, norm_name(i, "running_var"), {out}, model.running_var(i));
    }
  }
  return st;
}

template <typename T>
std::string serialize_model(const Model<T>& model, const ModelDescription& description) {
  return serialize_safetensors(model_tensors(model, description));
}

template <typename T>
void save_model(const std::string& path, const Model<T>& model, const ModelDescription& description) {
  write_file_atomic(path, serialize_model(model, description));
}

template <typename T>
void load_weights(const std::string& path, Model<T>& model) {
  copy_weights(read_safetensors(path), path, model);
}

bool is_mlp_model(const std::string& path) { return !read_header(path).mlp.empty(); }

ModelDescription read_description(const std::string& path) {
  HeaderInfo header = read_header(path);
  if (header.mlp.empty()) {
    read_safetensors(path);  // throws its precise error when the file itself is bad
    throw Error(path + ": not an mlp model (a safetensors file without an mlp description)");
  }
  ModelDescription d = parse_description(path, header.mlp);
  d.weight_dtype = header.weight_dtype;
  return d;
}

template <typename T>
LoadedModel<T> load_model(const std::string& path) {
  ModelDescription d = read_description(path);
  Model<T> model(d.config);
  load_weights(path, model);
  return LoadedModel<T>{std::move(d), std::move(model)};
}

namespace {

ModelDescription description_of(const SafeTensors& st, const std::string& source) {
  const auto mlp = st.metadata.find("mlp");
  if (mlp == st.metadata.end()) throw Error(source + ": not an mlp model (safetensors without an mlp description)");
  ModelDescription d = parse_description(source, mlp->second);
  if (st.contains(weight_name(0))) d.weight_dtype = st.at(weight_name(0)).dtype;
  return d;
}

}  // namespace

ModelDescription description_from_bytes(std::string_view bytes, const std::string& source) {
  return description_of(parse_safetensors(bytes, source), source);
}

template <typename T>
LoadedModel<T> model_from_bytes(std::string_view bytes, const std::string& source) {
  return model_from_tensors<T>(parse_safetensors(bytes, source), source);
}

template <typename T>
LoadedModel<T> model_from_tensors(const SafeTensors& st, const std::string& source) {
  ModelDescription d = description_of(st, source);
  Model<T> model(d.config);
  copy_weights(st, source, model);
  return LoadedModel<T>{std::move(d), std::move(model)};
}

template std::string serialize_model<float>(const Model<float>&, const ModelDescription&);
template std::string serialize_model<double>(const Model<double>&, const ModelDescription&);
template void save_model<float>(const std::string&, const Model<float>&, const ModelDescription&);
template void save_model<double>(const std::string&, const Model<double>&, const ModelDescription&);
template LoadedModel<float> load_model<float>(const std::string&);
template LoadedModel<double> load_model<double>(const std::string&);
template SafeTensors model_tensors<float>(const Model<float>&, const ModelDescription&);
template SafeTensors model_tensors<double>(const Model<double>&, const ModelDescription&);
template LoadedModel<float> model_from_tensors<float>(const SafeTensors&, const std::string&);
template LoadedModel<double> model_from_tensors<double>(const SafeTensors&, const std::string&);
template LoadedModel<float> model_from_bytes<float>(std::string_view, const std::string&);
template LoadedModel<double> model_from_bytes<double>(std::string_view, const std::string&);
template void load_weights<float>(const std::string&, Model<float>&);
template void load_weights<double>(const std::string&, Model<double>&);

}  // namespace mlp::io
