// OptionFlags: a CLI11 option per entry of mlp::visit_options. Numbers and strings are bound to
// their fields (CLI11 converts and reports them); the other types are read as text by the
// library's parsers after parsing (pipeline/option_values.h).
#include "option_flags.h"

#include <optional>
#include <type_traits>

#include "pipeline/option_values.h"

namespace mlp::cli {
namespace {

template <typename T>
struct is_optional : std::false_type {};
template <typename T>
struct is_optional<std::optional<T>> : std::true_type {};
template <typename T>
constexpr bool is_optional_double = std::is_same_v<T, std::optional<double>>;

}  // namespace

void OptionFlags::add(CLI::App* cmd, PipelineOptions& options) {
  visit_options(options, [&](const OptionInfo& info, auto& field) {
    using T = std::decay_t<decltype(field)>;
    if (info.flag.empty()) return;
    const std::string flag(info.flag), help(info.help);
    if constexpr (std::is_same_v<T, bool>) {
      if (!info.negated) {
        cmd->add_flag(flag, field, help);
      } else {
        bool& given = flags_.emplace_back(false);
        cmd->add_flag(flag, given, help);
        apply_.push_back([&given, &field] {
          if (given) field = false;
        });
      }
    } else if constexpr (std::is_arithmetic_v<T> || std::is_same_v<T, std::string>) {
      CLI::Option* o = cmd->add_option(flag, field, help);
      if (!option_text(field).empty()) o->capture_default_str();
    } else if constexpr (is_optional_double<T>) {
      double& number = numbers_.emplace_back(0);
      CLI::Option* o = cmd->add_option(flag, number, help);
      apply_.push_back([o, &number, &field] {
        if (o->count() > 0) field = number;
      });
    } else {
      std::string& text = texts_.emplace_back();
      CLI::Option* o = cmd->add_option(flag, text, help);
      if constexpr (!is_optional<T>::value) o->default_str(option_text(field));
      apply_.push_back([o, &text, &field] {
        if (o->count() > 0) parse_option_value(text, field);
      });
    }
  });
}

void OptionFlags::apply() const {
  for (const auto& f : apply_) f();
}

}  // namespace mlp::cli
