// The options' values (mlp/pipeline/options.h) as text, the form the CLI's arguments and the
// Python module's names take, and as JSON, the form a checkpoint records them in. Each overload
// reads or writes one type of option; text that is not such a value throws InvalidArgument.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mlp/pipeline/options.h"

namespace mlp {

void parse_option_value(std::string_view text, std::string& out);
void parse_option_value(std::string_view text, double& out);
void parse_option_value(std::string_view text, std::size_t& out);
void parse_option_value(std::string_view text, std::uint32_t& out);
void parse_option_value(std::string_view text, bool& out);  // true, false, 1, 0
void parse_option_value(std::string_view text, std::vector<std::size_t>& out);  // widths: "256,128"
void parse_option_value(std::string_view text, std::vector<std::string>& out);  // names: "a,b"
void parse_option_value(std::string_view text, std::vector<Activation>& out);   // "relu,tanh"
void parse_option_value(std::string_view text, Activation& out);
void parse_option_value(std::string_view text, Loss& out);
void parse_option_value(std::string_view text, ScaleKind& out);
void parse_option_value(std::string_view text, MissingPolicy& out);
void parse_option_value(std::string_view text, InitOptions& out);
void parse_option_value(std::string_view text, Precision& out);
template <typename T>
void parse_option_value(std::string_view text, std::optional<T>& out) {
  T value{};
  parse_option_value(text, value);
  out = std::move(value);
}

// The text parse_option_value reads back (what --help shows as a default).
std::string option_text(const std::string& value);
std::string option_text(double value);
std::string option_text(std::size_t value);
std::string option_text(std::uint32_t value);
std::string option_text(bool value);
std::string option_text(const std::vector<std::size_t>& value);
std::string option_text(const std::vector<std::string>& value);
std::string option_text(const std::vector<Activation>& value);
std::string option_text(const Activation& value);
std::string option_text(const Loss& value);
std::string option_text(ScaleKind value);
std::string option_text(MissingPolicy value);
std::string option_text(const InitOptions& value);
std::string option_text(Precision value);

// The record of the options a checkpoint keeps (every option but the OnResume::free ones), and
// the first option of `o` that differs from a record's among those that must stay the same:
// nullopt when none does, else its name, the record's value and this one (as JSON text). A
// record written before the options had one list (no "options_format") is read as it meant.
nlohmann::ordered_json options_record(const PipelineOptions& o);
struct OptionDifference {
  std::string name, recorded, given;
};
std::optional<OptionDifference> first_difference(const nlohmann::json& record, const PipelineOptions& o);

}  // namespace mlp
