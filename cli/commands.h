// The mlp command's subcommands: each file adds one to the application.
#pragma once

#include <CLI/CLI.hpp>

namespace mlp::cli {

void add_demo_command(CLI::App& app);
void add_activation_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_predict_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_info_command(CLI::App& app);
void add_export_command(CLI::App& app);
void add_import_command(CLI::App& app);
void add_convert_command(CLI::App& app);

}  // namespace mlp::cli
