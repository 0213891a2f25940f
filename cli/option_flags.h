// The model object's options as `mlp train` flags, registered from mlp::visit_options (one list
// for the CLI, the Python module and the resume check): each flag's value is read into its option
// after parsing, so an option whose flag is not given keeps the library's default.
#pragma once

#include <CLI/CLI.hpp>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "mlp/pipeline/options.h"

namespace mlp::cli {

class OptionFlags {
 public:
  // Adds a flag to `cmd` for every option that has one, bound to `options` (which, like this
  // object, must outlive the parsing).
  void add(CLI::App* cmd, PipelineOptions& options);
  // Sets the options whose flags were given from their text; throws InvalidArgument for a value
  // that is not one of the option's.
  void apply() const;

 private:
  std::deque<std::string> texts_;
  std::deque<double> numbers_;
  std::deque<bool> flags_;
  std::vector<std::function<void()>> apply_;
};

}  // namespace mlp::cli
