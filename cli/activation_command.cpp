// `mlp activation NAME`: an activation and its derivative as CSV (x,y,dy) in float64,
// and optionally as an SVG plot.
#include <cmath>
#include <cstdio>
#include <string>

#include "commands.h"
#include "mlp/nn/activation.h"
#include "mlp/core/error.h"
#include "core/format.h"
#include "core/file.h"
#include "formats/svg.h"

namespace mlp::cli {
namespace {

struct ActivationArgs {
  std::string name;
  double from = -5, to = 5;
  long points = 101;
  std::string svg;
};

void run(const ActivationArgs& args) {
  Activation a = parse_activation(args.name);
  if (a.row_wise())
    throw InvalidArgument(a.name() + " acts on whole rows, not on single values; choose an elementwise activation");
  if (!std::isfinite(args.from) || !std::isfinite(args.to))
    throw InvalidArgument("--from and --to must be finite numbers");
  if (args.points < 1) throw InvalidArgument("--points must be at least 1, got " + std::to_string(args.points));
  if (args.points > 10000000) throw InvalidArgument("--points must be at most 10000000");
  if (args.to < args.from) throw InvalidArgument("--to must not be below --from");
  io::PlotSeries y{a.name() + "(x)", {}, {}}, dy{a.name() + "'(x)", {}, {}};
  std::string csv = "x,y,dy\n";
  const long n = args.points;
  for (long i = 0; i < n; ++i) {
    double x = n == 1 ? args.from
                      : (i == n - 1 ? args.to : args.from + (args.to - args.from) * static_cast<double>(i) /
                                                                 static_cast<double>(n - 1));
    double v = activation_value(a, x), d = activation_derivative(a, x);
    csv += format_repr(x) + "," + format_repr(v) + "," + format_repr(d) + "\n";
    y.x.push_back(x);
    y.y.push_back(v);
    dy.x.push_back(x);
    dy.y.push_back(d);
  }
  if (!args.svg.empty()) {
    io::PlotOptions options;
    options.title = a.name() + " and its derivative";
    options.x_label = "x";
    io::write_file_atomic(args.svg, io::svg_line_plot({y, dy}, options));
  }
  std::fwrite(csv.data(), 1, csv.size(), stdout);
}

}  // namespace

void add_activation_command(CLI::App& app) {
  auto args = std::make_shared<ActivationArgs>();
  auto* cmd = app.add_subcommand("activation", "Print an activation and its derivative as CSV (x,y,dy)");
  std::string names;
  for (const auto& n : activation_names()) names += (names.empty() ? "" : ", ") + n;
  cmd->add_option("name", args->name, "Activation: " + names)->required();
  cmd->add_option("--from", args->from, "First x")->capture_default_str();
  cmd->add_option("--to", args->to, "Last x")->capture_default_str();
  cmd->add_option("--points", args->points, "Number of evenly spaced points")->capture_default_str();
  cmd->add_option("--svg", args->svg, "Also draw both curves into this SVG file");
  cmd->callback([args]() { run(*args); });
}

}  // namespace mlp::cli
