// `mlp train DATA -o MODEL`: flags -> mlp::PipelineOptions, Pipeline::fit (or Pipeline::resume
// from a checkpoint), and the model (plus optional history CSV and SVG plot) written atomically,
// all or none; also when Ctrl-C or SIGTERM stops training, which then exits 130 or 143.
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>

#include "commands.h"
#include "data_options.h"
#include "interrupt.h"
#include "core/format.h"
#include "core/file.h"
#include "formats/history.h"
#include "mlp/pipeline/pipeline.h"
#include "option_flags.h"
#include "processes.h"
#include "progress.h"
#include "threads_option.h"

namespace mlp::cli {
namespace {

struct TrainArgs {
  DataFlags data;
  std::string output, val, val_labels, history, plot, resume;
  std::string init;  // --init, the former name of --init-from
  PipelineOptions o;
  OptionFlags flags;  // o's flags
  int threads = 0;
  bool quiet = false;
};

// Data-parallel: how long each step waited for the other processes' gradients, on average.
std::string waiting(const Pipeline& p, int processes, std::size_t steps) {
  if (processes <= 1 || steps == 0) return "";
  double wait = 0;
  for (const EpochStats& e : p.fit_report().history) wait += e.wait_seconds;
  char s[96];
  std::snprintf(s, sizeof s, "; %d processes, %.3f ms per step waiting for the sums", processes, 1e3 * wait / static_cast<double>(steps));
  return s;
}

// What fit is about to do: the preprocessing's report, the rows, columns, task and model.
void print_plan(const std::string& path, const FitPlan& plan) {
  for (const std::string& line : plan.preprocessing.lines()) std::fprintf(stderr, "%s: %s\n", path.c_str(), line.c_str());
  std::string features = std::to_string(plan.columns) + " features";
  if (plan.categorical > 0)
    features = std::to_string(plan.columns) + " columns (" + std::to_string(plan.categorical) + " categorical; " +
               std::to_string(plan.features) + " features)";
  std::fprintf(stderr, "%s: %zu rows, %s; task: %s (%s)%s; model %s, %zu parameters, %s\n", path.c_str(), plan.rows,
               features.c_str(), plan.classification ? "classification" : "regression", plan.task_reason.c_str(),
               plan.classification ? (", " + std::to_string(plan.classes) + " classes").c_str() : "", plan.shape.c_str(),
               plan.parameters, plan.loss.c_str());
}

// The line a stop prints: where training was stopped, what was saved, how to go on. `epoch`,
// `batch` and `batches` are the last batch's.
std::string interruption(const TrainArgs& a, const FitReport& r, std::size_t epoch, std::size_t batch, std::size_t batches) {
  const PipelineOptions& o = a.o;
  std::string saved = a.output + (o.early_stopping.patience > 0 && o.early_stopping.restore_best_weights && r.best_epoch > 0
                                      ? " (the best epoch's weights, epoch " + std::to_string(r.best_epoch) + ")"
                                      : " (the latest weights)");
  for (const std::string& path : {a.history, a.plot})
    if (!path.empty()) saved += ", " + path;
  const std::string where = epoch > r.history.size() ? "in epoch " + std::to_string(epoch) + " after batch " +
                                                           std::to_string(batch) + " of " + std::to_string(batches)
                                                     : "after epoch " + std::to_string(r.history.size());
  return std::string(stop_signal() == SIGTERM ? "terminated" : "interrupted") + " " + where + "; saved " + saved +
         (o.checkpoint.empty() ? "; without --checkpoint this run cannot be resumed"
                               : " and the checkpoint " + o.checkpoint +
                                     "; to continue, run the same command with --resume " + o.checkpoint);
}

void print_summary(const Pipeline& p, const std::string& output, const std::string& extra) {
  const FitReport& r = p.fit_report();
  if (r.history.empty()) {
    std::fprintf(stderr, "no epochs run; saved the initial weights to %s\n", output.c_str());
    return;
  }
  const EpochStats& best = r.history[r.best_epoch - 1];
  const std::string loss = p.description().target_offset.empty() ? "loss " : "loss(std) ";
  std::string s = "best epoch " + std::to_string(r.best_epoch) + " of " + std::to_string(r.history.size()) +
                  (r.stopped_early ? " (stopped early)" : "") + ": train " + loss + format_short(best.train_loss);
  if (best.val_loss == best.val_loss) s += ", val " + loss + format_short(best.val_loss);
  for (const auto& [name, value] : best.val_metrics) s += ", val " + name + " " + format_short(value, 4);
  std::fprintf(stderr, "%s; %.2f s%s; saved %s\n", s.c_str(), r.seconds, extra.c_str(), output.c_str());
}

// Checks the flags, turns them into options and reads the data (into train and val).
void prepare(TrainArgs& a, bool first, std::unique_ptr<data::Loaded>& train, std::unique_ptr<data::Loaded>& val) {
  a.flags.apply();
  if (!a.init.empty()) {
    if (first) std::fprintf(stderr, "mlp: notice: --init is deprecated; it is now --init-from\n");
    if (a.o.init_from.empty()) a.o.init_from = a.init;
  }
  if (a.o.epochs == 0) throw InvalidArgument("--epochs must be at least 1");
  if (!a.val.empty() && a.o.validation_split.value_or(0) > 0) throw InvalidArgument("give either --val or --val-split, not both");
  if (a.o.checkpoint_every == 0) throw InvalidArgument("--checkpoint-every must be at least 1");
  if (a.o.checkpoint.empty()) a.o.checkpoint = a.resume;  // a resumed run goes on checkpointing there
  if (first) {
    io::check_writable(a.output);  // before training, not after
    for (const std::string& path : {a.history, a.plot, a.o.checkpoint})
      if (!path.empty()) io::check_writable(path);
  }
  const PipelineOptions& o = a.o;
  data::LoadOptions load = load_options(a.data, true);
  load.csv_features = o.precision == Precision::f64 ? data::DType::f64 : data::DType::f32;  // a CSV's numbers
  train = std::make_unique<data::Loaded>(data::load(a.data.path, load));
  if (!a.val.empty()) {
    DataFlags vf = a.data;
    vf.path = a.val;
    vf.labels = a.val_labels;
    data::LoadOptions val_load = load_options(vf, true);
    val_load.csv_features = load.csv_features;
    val = std::make_unique<data::Loaded>(data::load(a.val, val_load));
  }
}

void run(TrainArgs& a) {
  // Alone, or one of mpirun's processes (cli/processes.h): each reads the data and trains its
  // share of every batch; the first prints and writes. Every process fails alike or none does.
  Communicator& procs = processes();
  const bool first = procs.rank() == 0;
  PipelineOptions& o = a.o;
  o.communicator = &procs;
  std::unique_ptr<data::Loaded> train, val;
  collectively(procs, [&] {
    apply_threads_option(a.threads == 0 && procs.size() > 1 ? default_threads() : a.threads);
    prepare(a, first, train, val);
  });
  if (first && training_precision(o) != o.precision)
    std::fprintf(stderr, "mlp: notice: --dtype bf16: no bfloat16 products on this CPU (they need avx512_bf16); "
                         "training in float32\n");
  const bool quiet = a.quiet || !first;
  Progress progress(quiet, o.epochs);
  std::size_t steps = 0;
  o.callbacks.on_start = [&](const FitPlan& plan) {
    progress.set_standardized(!plan.classification && o.scale != ScaleKind::none);
    if (!quiet) print_plan(a.data.path, plan);
  };
  std::size_t epoch = 0, batch = 0, batches = 0;  // the last batch's
  o.callbacks.on_batch_end = [&](const BatchStats& b) {
    ++steps;
    epoch = b.epoch;
    batch = b.batch;
    batches = b.batches;
    progress.batch(b);
  };
  o.callbacks.stop_requested = [] { return stop_signal() != 0; };
  o.callbacks.on_epoch_end = [&](const EpochStats& e) {
    progress.epoch(e);
    return true;
  };
  check_interrupt();  // stopped while reading the data: nothing to save
  Pipeline p = [&] {
    try {
      const data::Frame* val_x = val ? &val->features : nullptr;
      const data::Targets* val_y = val ? &val->targets : nullptr;
      if (!a.resume.empty()) return Pipeline::resume(a.resume, train->features, train->targets, o, val_x, val_y);
      return Pipeline::fit(train->features, train->targets, o, val_x, val_y);
    } catch (...) {
      progress.finish();
      throw;
    }
  }();
  collectively(procs, [&] {  // the first process writes; a failure ends every process alike
    if (!first) return;
    std::vector<std::pair<std::string, std::string>> files = {{a.output, p.serialize()}};
    if (!a.history.empty()) files.emplace_back(a.history, io::history_csv(p.fit_report().history));
    if (!a.plot.empty())
      files.emplace_back(a.plot, io::history_plot(p.fit_report().history, "training of " + a.output, p.fit_report().best_epoch));
    io::write_files_atomic(files);
  });
  const FitReport& r = p.fit_report();
  if (r.interrupted) {
    progress.finish();
    throw Interrupted(stop_signal(), interruption(a, r, epoch, batch, batches));
  }
  if (!quiet) print_summary(p, a.output, waiting(p, procs.size(), steps));
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto a = std::make_shared<TrainArgs>();
  PipelineOptions& o = a->o;
  auto* cmd = app.add_subcommand("train", "Train a model on a data file (CSV, NPY, IDX) and save it as safetensors");
  cmd->add_option("data", a->data.path, "Training data: CSV (a header unless --no-header), NPY, or IDX (plain or .gz)")->required();
  cmd->add_option("-o,--output", a->output, "Where to save the model (safetensors)")->required();
  add_data_options(cmd, a->data, true);
  a->flags.add(cmd, o);
  cmd->add_option("--init", a->init, "Deprecated: the former name of --init-from");
  cmd->add_option("--val", a->val, "Validation data file (same format as the training data)");
  cmd->add_option("--val-labels", a->val_labels, "Labels of the validation data (NPY or IDX)");
  add_threads_option(cmd, a->threads);
  cmd->add_option("--history", a->history, "Write one CSV row per epoch (epoch, seconds, lr, losses, metrics)");
  cmd->add_option("--plot", a->plot, "Draw the loss and metric curves into this SVG file");
  cmd->add_option("--resume", a->resume, "Continue the training this checkpoint holds, with the same data and options (--epochs may grow); goes on checkpointing there unless --checkpoint says elsewhere");
  cmd->add_flag("-q,--quiet", a->quiet, "Print nothing while training");
  cmd->callback([a]() { run(*a); });
}

}  // namespace mlp::cli
