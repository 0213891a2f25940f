// The mlp command: parses the subcommand and turns every error into one line on stderr and a
// documented exit status (docs/cli.md): 0 success, 1 bad data or model, 2 usage, 130 interrupted
// (Ctrl-C, SIGINT), 143 terminated (SIGTERM).
#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>

#include "commands.h"
#include "interrupt.h"
#include "processes.h"
#include "mlp/core/error.h"
#include "core/escape.h"
#include "mlp/core/version.h"

namespace {

constexpr int kBadData = 1, kUsage = 2;

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t next = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = row[j];
      row[j] = next;
    }
  }
  return row[b.size()];
}

std::vector<const CLI::App*> subcommands(const CLI::App& app) {
  return app.get_subcommands([](const CLI::App*) { return true; });
}

// Throws a usage error for the first option the command does not have, with the closest one it
// has: before parsing, so that it is reported even when a required argument is missing too.
void check_option_names(const CLI::App& app, int argc, char** argv) {
  if (argc < 2) return;
  const CLI::App* cmd = nullptr;
  for (const CLI::App* sub : subcommands(app))
    if (sub->get_name() == argv[1]) cmd = sub;
  if (!cmd) {
    if (argv[1][0] == '-') return;  // --help, --version, or an error CLI11 reports
    std::string names;
    for (const CLI::App* sub : subcommands(app)) names += (names.empty() ? "" : ", ") + sub->get_name();
    throw mlp::InvalidArgument("unknown command '" + mlp::escape_for_message(argv[1]) + "'; valid: " + names + " (see 'mlp --help')");
  }
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--") break;
    const bool is_long = arg.rfind("--", 0) == 0;
    const bool is_short = !is_long && arg.size() == 2 && arg[0] == '-' && std::isalpha(static_cast<unsigned char>(arg[1]));
    if (!is_long && !is_short) continue;
    std::string name = arg.substr(0, arg.find('='));
    if (name == "--help" || name == "-h" || cmd->get_option_no_throw(name)) continue;
    std::string best;
    std::size_t best_distance = 4;  // suggest only a near miss
    for (const CLI::Option* opt : cmd->get_options())
      for (const std::string& l : opt->get_lnames())
        if (std::size_t dist = edit_distance(name, "--" + l); dist < best_distance) best_distance = dist, best = "--" + l;
    throw mlp::InvalidArgument("unknown option '" + mlp::escape_for_message(name) + "' for 'mlp " + cmd->get_name() + "'" +
                               (best.empty() ? "" : "; did you mean '" + best + "'?") + " (see 'mlp " + cmd->get_name() +
                               " --help')");
  }
}

// One line on stderr, printed once however many processes run (cli/processes.h).
int fail(int status, const std::string& message) { return mlp::cli::finish(status, "mlp: error: " + message); }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"mlp: build, train and run multi-layer perceptrons"};
  app.name("mlp");
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show the help of every command");
  app.set_version_flag("--version", std::string("mlp ") + mlp::version());
  mlp::cli::add_train_command(app);
  mlp::cli::add_predict_command(app);
  mlp::cli::add_eval_command(app);
  mlp::cli::add_info_command(app);
  mlp::cli::add_export_command(app);
  mlp::cli::add_import_command(app);
  mlp::cli::add_convert_command(app);
  mlp::cli::add_demo_command(app);
  mlp::cli::add_activation_command(app);
  mlp::cli::install_interrupt_handler();
  try {
    check_option_names(app, argc, argv);
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string message = e.what();
    std::string help = "mlp --help";
    for (const CLI::App* sub : subcommands(app))
      if (argc > 1 && sub->get_name() == argv[1]) help = "mlp " + sub->get_name() + " --help";
    return fail(kUsage, (message.empty() ? "bad arguments" : message) + " (see '" + help + "')");
  } catch (const mlp::cli::Interrupted& e) {
    const std::string message = e.what();
    return message.empty() ? fail(128 + e.signal, "interrupted; nothing was written")
                           : mlp::cli::finish(128 + e.signal, "mlp: " + message);
  } catch (const mlp::InvalidArgument& e) {
    return fail(kUsage, e.what());
  } catch (const std::exception& e) {
    return fail(kBadData, e.what());
  }
  return mlp::cli::finish(0, "");
}
