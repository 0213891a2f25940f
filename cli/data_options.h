// The options that say how to read a data file, shared by train, predict and eval: label columns
// or file, delimiter, header, ignored columns.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "mlp/data/load.h"

namespace mlp::cli {

struct DataFlags {
  std::string path;
  std::string target, labels;
  std::string delimiter;  // "" detects; "tab" and "\t" are a tab
  bool no_header = false;
  std::vector<std::string> ignore;
};

// Adds --delimiter, --no-header and --ignore; with `labels`, also --target and --labels.
void add_data_options(CLI::App* cmd, DataFlags& flags, bool labels);
// The library's load options; throws InvalidArgument for a delimiter that is not one character.
data::LoadOptions load_options(const DataFlags& flags, bool read_targets);

}  // namespace mlp::cli
