// The mlp command: parses the subcommand and turns every error into one line on stderr
// and a non-zero exit status.
#include <cstdio>
#include <exception>
#include <string>

#include "commands.h"
#include "mlp/error.h"

static bool has_subcommand(const CLI::App& app, const std::string& name) {
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    if (sub->get_name() == name) return true;
  return false;
}

int main(int argc, char** argv) {
  CLI::App app{"mlp: build, train and run multi-layer perceptrons"};
  app.name("mlp");
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show the help of every command");
  mlp::cli::add_train_command(app);
  mlp::cli::add_predict_command(app);
  mlp::cli::add_eval_command(app);
  mlp::cli::add_info_command(app);
  mlp::cli::add_demo_command(app);
  mlp::cli::add_activation_command(app);
  try {
    if (argc > 1 && argv[1][0] != '-' && !has_subcommand(app, argv[1])) {
      std::string names;
      for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) names += (names.empty() ? "" : ", ") + sub->get_name();
      throw mlp::InvalidArgument(std::string("unknown command '") + argv[1] + "'; valid: " + names);
    }
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string message = e.what();
    if (message.empty()) message = "bad arguments";
    std::fprintf(stderr, "mlp: error: %s (see 'mlp --help')\n", message.c_str());
    return e.get_exit_code() != 0 ? e.get_exit_code() : 2;
  } catch (const mlp::Error& e) {
    std::fprintf(stderr, "mlp: error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mlp: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
