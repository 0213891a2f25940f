// Options as text and as a checkpoint's record (option_values.h), and the precision names.
#include <cerrno>
#include <charconv>
#include <type_traits>

#include "core/escape.h"
#include "core/format.h"
#include "core/names.h"
#include "mlp/core/error.h"
#include "mlp/core/matmul.h"
#include "pipeline/option_values.h"
#include "pipeline/specs.h"

namespace mlp {
namespace {

constexpr NameEntry<Precision> kPrecisions[] = {{"f32", Precision::f32}, {"f64", Precision::f64}, {"bf16", Precision::bf16}};

template <typename T>
std::string joined(const std::vector<T>& values) {
  std::string s;
  for (std::size_t i = 0; i < values.size(); ++i) s += (i ? "," : "") + option_text(values[i]);
  return s;
}

// A value's form in the record.
nlohmann::ordered_json record_value(const std::string& v) { return v; }
nlohmann::ordered_json record_value(double v) { return v; }
nlohmann::ordered_json record_value(std::size_t v) { return v; }
nlohmann::ordered_json record_value(std::uint32_t v) { return v; }
nlohmann::ordered_json record_value(bool v) { return v; }
nlohmann::ordered_json record_value(const std::vector<std::size_t>& v) { return v; }
nlohmann::ordered_json record_value(const std::vector<std::string>& v) { return v; }
nlohmann::ordered_json record_value(const std::vector<Activation>& v) {
  nlohmann::ordered_json j = nlohmann::ordered_json::array();
  for (const Activation& a : v) j.push_back(a.name());
  return j;
}
nlohmann::ordered_json record_value(const Activation& v) { return v.name(); }
nlohmann::ordered_json record_value(const Loss& v) { return v.name(); }
nlohmann::ordered_json record_value(ScaleKind v) { return scale_name(v); }
nlohmann::ordered_json record_value(MissingPolicy v) { return missing_policy_name(v); }
nlohmann::ordered_json record_value(const InitOptions& v) {
  return {{"kind", init_names().at(static_cast<std::size_t>(v.kind))}, {"fan_out", v.fan_out}, {"value", v.value}, {"gain", v.gain}};
}
nlohmann::ordered_json record_value(Precision v) { return precision_name(v); }
template <typename T>
nlohmann::ordered_json record_value(const std::optional<T>& v) {
  return v ? record_value(*v) : nlohmann::ordered_json(nullptr);
}

// The format of the record: 2 since the options have one list. Version 1 (no "options_format")
// had two names that changed and kept "the library's default" as a sentinel value.
constexpr int kOptionsFormat = 2;

nlohmann::json upgraded(nlohmann::json r) {
  if (r.contains("options_format")) return r;
  auto rename = [&](const char* was, const char* is) {
    if (r.contains(was)) r[is] = r[was], r.erase(was);
  };
  rename("early_stopping", "early_stopping_patience");
  rename("clip_norm", "clip_grad_norm");
  auto unset_if = [&](const char* key, auto sentinel) {
    if (r.contains(key) && sentinel(r[key])) r[key] = nullptr;
  };
  unset_if("lr", [](const nlohmann::json& v) { return v.is_number() && v.get<double>() == 0; });
  unset_if("weight_decay", [](const nlohmann::json& v) { return v.is_number() && v.get<double>() < 0; });
  unset_if("validation_split", [](const nlohmann::json& v) { return v.is_number() && v.get<double>() < 0; });
  unset_if("output_activation", [](const nlohmann::json& v) { return v == ""; });
  unset_if("loss", [](const nlohmann::json& v) { return v == ""; });
  return r;
}

template <typename T>
void parse_number(std::string_view text, T& out) {
  T value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty())
    throw InvalidArgument("'" + escape_for_message(std::string(text)) + "' is not a number of the option's type");
  out = value;
}

}  // namespace

Precision parse_precision(std::string_view name) { return parse_name<Precision>(kPrecisions, name, "dtype"); }
std::string precision_name(Precision precision) { return std::string(name_of<Precision>(kPrecisions, precision)); }

Precision training_precision(const PipelineOptions& o) {
  return o.precision == Precision::bf16 && !bf16_products() ? Precision::f32 : o.precision;
}

void parse_option_value(std::string_view text, std::string& out) { out = text; }
void parse_option_value(std::string_view text, double& out) { parse_number(text, out); }
void parse_option_value(std::string_view text, std::size_t& out) { parse_number(text, out); }
void parse_option_value(std::string_view text, std::uint32_t& out) { parse_number(text, out); }
void parse_option_value(std::string_view text, bool& out) {
  if (text == "true" || text == "1") out = true;
  else if (text == "false" || text == "0") out = false;
  else throw InvalidArgument("'" + escape_for_message(std::string(text)) + "' is not true, false, 1 or 0");
}
void parse_option_value(std::string_view text, std::vector<std::size_t>& out) { out = parse_widths(std::string(text)); }
void parse_option_value(std::string_view text, std::vector<std::string>& out) {
  out.clear();
  for (std::size_t start = 0; start <= text.size();) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    out.emplace_back(text.substr(start, comma - start));
    start = comma + 1;
  }
}
void parse_option_value(std::string_view text, std::vector<Activation>& out) { out = parse_activations(std::string(text)); }
void parse_option_value(std::string_view text, Activation& out) { out = parse_activation(text); }
void parse_option_value(std::string_view text, Loss& out) { out = parse_loss(text); }
void parse_option_value(std::string_view text, ScaleKind& out) { out = parse_scale(text); }
void parse_option_value(std::string_view text, MissingPolicy& out) { out = parse_missing_policy(text); }
void parse_option_value(std::string_view text, InitOptions& out) { out = parse_init(text); }
void parse_option_value(std::string_view text, Precision& out) { out = parse_precision(text); }

std::string option_text(const std::string& value) { return value; }
std::string option_text(double value) { return format_label(value); }
std::string option_text(std::size_t value) { return std::to_string(value); }
std::string option_text(std::uint32_t value) { return std::to_string(value); }
std::string option_text(bool value) { return value ? "true" : "false"; }
std::string option_text(const std::vector<std::size_t>& value) { return value.empty() ? "0" : joined(value); }
std::string option_text(const std::vector<std::string>& value) { return joined(value); }
std::string option_text(const std::vector<Activation>& value) { return joined(value); }
std::string option_text(const Activation& value) { return value.name(); }
std::string option_text(const Loss& value) { return value.name(); }
std::string option_text(ScaleKind value) { return scale_name(value); }
std::string option_text(MissingPolicy value) { return missing_policy_name(value); }
std::string option_text(const InitOptions& value) {
  std::string name = init_names().at(static_cast<std::size_t>(value.kind));
  return value.kind == InitKind::constant ? name + ":" + option_text(value.value) : name;
}
std::string option_text(Precision value) { return precision_name(value); }

nlohmann::ordered_json options_record(const PipelineOptions& o) {
  nlohmann::ordered_json j;
  visit_options(o, [&](const OptionInfo& info, const auto& field) {
    if (info.on_resume != OnResume::free) j[std::string(info.name)] = record_value(field);
  });
  j["options_format"] = kOptionsFormat;
  return j;
}

std::optional<OptionDifference> first_difference(const nlohmann::json& record, const PipelineOptions& o) {
  const nlohmann::json was = upgraded(record);
  std::optional<OptionDifference> found;
  visit_options(o, [&](const OptionInfo& info, const auto& field) {
    if (found || info.on_resume != OnResume::same) return;
    const nlohmann::json now = nlohmann::json::parse(record_value(field).dump());  // compared as a record is read
    const auto it = was.find(std::string(info.name));
    if (it == was.end() || *it != now)
      found = OptionDifference{std::string(info.name), it == was.end() ? "unset" : it->dump(), now.dump()};
  });
  return found;
}

}  // namespace mlp
