// The model object's options, each declared once, in visit_options: its name (the Python
// keyword and the key in a checkpoint's record), its command-line flag and help, and whether a
// resumed training may change it. The CLI registers its flags from that list, the Python module
// reads its keywords through it, and checkpoints record and compare the options with it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mlp/data/preprocessor.h"
#include "mlp/data/scaler.h"
#include "mlp/nn/activation.h"
#include "mlp/nn/init.h"
#include "mlp/nn/loss.h"
#include "mlp/train/communicator.h"
#include "mlp/train/trainer.h"

namespace mlp {

// bf16 trains a float32 model with bfloat16 products (Model::set_bf16_products) where the CPU runs
// them natively (bf16_products() in matmul.h), in float32 elsewhere; the model is float32 either way.
enum class Precision { f32, f64, bf16 };
Precision parse_precision(std::string_view name);  // "f32", "f64", "bf16"
std::string precision_name(Precision precision);

struct FitPlan;

// What a fit reports while it runs, and how a caller stops it.
struct FitCallbacks {
  std::function<void(const FitPlan&)> on_start;  // before the first epoch
  std::function<void(const BatchStats&)> on_batch_end;
  std::function<bool(const EpochStats&)> on_epoch_end;  // false stops training
  // Polled after every batch (data-parallel: at every epoch's end); true ends training there, as
  // an interruption: the checkpoint is written (when asked for), and fit returns the model with
  // the best weights so far, as early stopping keeps them, and FitReport::interrupted set.
  std::function<bool()> stop_requested;
};

// scikit-learn's MLPClassifier/MLPRegressor defaults where they have one (100 hidden relu units,
// Adam at 0.001, batch 32 (sklearn: min(200, rows)), early stopping after 10 epochs without an
// improvement of 1e-4), PyTorch's for the rest. An unset std::optional is the library's default,
// which may depend on the data or on other options (its comment says how).
struct PipelineOptions {
  std::string task;  // "classification", "regression", or "" to infer from the labels
  // Classification: the class names, in the order of the outputs, when the labels need not show
  // every class (scikit-learn's partial_fit); numbers as format_label writes them. Implies the
  // classification task. Empty: the distinct labels, sorted.
  std::vector<std::string> classes;
  // Hidden widths; unset: 100, or the architecture of an mlp model given as init_from.
  std::optional<std::vector<std::size_t>> hidden;
  std::vector<Activation> activation = {Activation{ActivationKind::relu}};  // one, or one per layer
  std::optional<Activation> output_activation;  // default: what the loss needs
  std::optional<Loss> loss;  // default: mse, cross_entropy, or bce_with_logits for two classes
  std::string optimizer = "adam";
  std::optional<double> lr;  // default: the optimizer's
  double momentum = 0;
  bool nesterov = false;
  std::optional<double> weight_decay;  // default: the optimizer's
  double dropout = 0;
  bool batch_norm = false;
  std::string schedule = "none";  // parse_schedule's syntax
  std::size_t warmup = 0;
  std::size_t batch_size = 32;
  std::size_t epochs = 100;
  std::uint32_t seed = 0;
  bool shuffle = true;
  // Default: 0.1 for regression of at least 20 rows without validation data, else none.
  std::optional<double> validation_split;
  // Patience 10 epochs without an improvement of 1e-4 (scikit-learn's n_iter_no_change and tol);
  // patience 0: no early stopping.
  EarlyStoppingOptions early_stopping = {.patience = 10, .min_delta = 1e-4};
  ScaleKind scale = ScaleKind::standard;  // features
  // Whether regression targets are standardized; unset: unless scale is none.
  std::optional<bool> standardize_targets;
  MissingPolicy missing = MissingPolicy::impute;
  InitOptions initializer = {};
  std::string init_from;  // start from the weights in this safetensors file
  Precision precision = Precision::f32;
  double clip_grad_norm = 0;  // 0: off
  // Data-parallel training (TrainOptions::communicator, docs/distributed.md): every process of
  // `communicator` calls fit with the same data and options, and each gets the same model; an
  // error on any process makes fit throw on all of them (Communicator::agreed_failure()).
  Communicator* communicator = nullptr;
  bool deterministic = false;     // TrainOptions::deterministic: the same model on 1, 2, 4, ... processes
  std::size_t micro_batches = 8;  // per global batch, when deterministic

  // Checkpoints (docs/cli.md): everything resuming needs (resume()), written atomically to this
  // file every checkpoint_every epochs, at the end of training and when stop_requested ends it;
  // "" for none. Data-parallel, process 0 writes it.
  std::string checkpoint;
  std::size_t checkpoint_every = 1;

  FitCallbacks callbacks;
};

// The precision fit trains in: options.precision, except bf16 where this CPU has no bfloat16
// products (f32 then; the CLI says so in one line).
Precision training_precision(const PipelineOptions& options);

// What a resumed training (Pipeline::resume) may do with an option.
enum class OnResume {
  same,        // must be the checkpoint's: recorded in it and compared
  may_change,  // recorded, and may differ (the epochs, to extend a run)
  free,        // not recorded: where and how often checkpoints are written
};

// One option of visit_options.
struct OptionInfo {
  std::string_view name;  // the Python keyword and the checkpoint record's key
  std::string_view flag;  // the CLI's (CLI11 syntax: "--clip-grad-norm,--clip-norm"); "" for none
  std::string_view help;
  OnResume on_resume = OnResume::same;
  bool python = true;      // a keyword of the Python module's options
  bool negated = false;    // a bool whose flag sets it false (--no-shuffle)
};

// Calls visit(info, field) for every option of `o` (a PipelineOptions, const or not), in the
// order of the CLI's help. (Longer than a function should be: it is the list, one entry per option.) The communicator and the callbacks are not options: they are how a
// caller takes part in a fit.
template <typename Options, typename Visit>
void visit_options(Options& o, Visit&& visit) {
  visit(OptionInfo{"task", "--task", "regression or classification (default: inferred from the labels)"}, o.task);
  visit(OptionInfo{"classes", "", "The class names, in the order of the outputs", OnResume::same}, o.classes);
  visit(OptionInfo{"hidden", "--hidden", "Hidden layer widths, comma-separated; 0 for none (default: 100)"}, o.hidden);
  visit(OptionInfo{"activation", "--activation", "Hidden activation: one name, or one per layer"}, o.activation);
  visit(OptionInfo{"output_activation", "--output-activation",
                   "Output activation (default: identity; log_softmax for nll, sigmoid for bce)"},
        o.output_activation);
  visit(OptionInfo{"loss", "--loss",
                   "mse, mae, huber, smooth_l1 (regression); cross_entropy, nll, bce, bce_with_logits (default: mse, "
                   "cross_entropy, or bce_with_logits for two classes)"},
        o.loss);
  visit(OptionInfo{"optimizer", "--optimizer", "sgd, adam, adamw, rmsprop, adagrad"}, o.optimizer);
  visit(OptionInfo{"lr", "--lr", "Learning rate (default: the optimizer's, as PyTorch: adam 0.001, sgd 0.01)"}, o.lr);
  visit(OptionInfo{"momentum", "--momentum", "Momentum (sgd, rmsprop)"}, o.momentum);
  visit(OptionInfo{"nesterov", "--nesterov", "Nesterov momentum (sgd)"}, o.nesterov);
  visit(OptionInfo{"weight_decay", "--weight-decay", "Weight decay (default: the optimizer's: 0, adamw 0.01)"},
        o.weight_decay);
  visit(OptionInfo{"dropout", "--dropout", "Dropout after each hidden layer, in [0, 1)"}, o.dropout);
  visit(OptionInfo{"batch_norm", "--batch-norm", "Batch normalization before each hidden activation"}, o.batch_norm);
  visit(OptionInfo{"schedule", "--schedule",
                   "Learning-rate schedule: none, step, multistep, exponential, cosine, onecycle, plateau, with "
                   "settings as NAME:key=value,... (e.g. step:step_size=10,gamma=0.5)"},
        o.schedule);
  visit(OptionInfo{"warmup", "--warmup", "Epochs of linear learning-rate warm-up"}, o.warmup);
  visit(OptionInfo{"batch_size", "--batch-size", "Rows per batch"}, o.batch_size);
  visit(OptionInfo{"epochs", "--epochs", "Epochs (at most)", OnResume::may_change}, o.epochs);
  visit(OptionInfo{"seed", "--seed", "Seed for initialization, shuffling, the validation split and dropout"}, o.seed);
  visit(OptionInfo{"shuffle", "--no-shuffle", "Keep the rows in file order (no shuffle each epoch)", OnResume::same,
                   true, true},
        o.shuffle);
  visit(OptionInfo{"validation_split", "--val-split",
                   "Hold out this fraction of the training rows for validation (default: 0.1 for regression, 0 for "
                   "classification)"},
        o.validation_split);
  visit(OptionInfo{"early_stopping_patience", "--early-stopping",
                   "Stop after this many epochs without improvement of --monitor and keep the best weights; 0: off"},
        o.early_stopping.patience);
  visit(OptionInfo{"monitor", "--monitor",
                   "What early stopping and the best epoch watch: val_loss (the training loss without validation), "
                   "loss, val_accuracy, val_f1, val_r2, val_rmse, ..."},
        o.early_stopping.monitor);
  visit(OptionInfo{"min_delta", "", "The least change of the monitored value that counts as an improvement"},
        o.early_stopping.min_delta);
  visit(OptionInfo{"min_delta_from_best_seen", "",
                   "Measure min_delta from the best value seen (scikit-learn) rather than the last improvement"},
        o.early_stopping.min_delta_from_best_seen);
  visit(OptionInfo{"restore_best_weights", "", "With early stopping, end with the best epoch's weights"},
        o.early_stopping.restore_best_weights);
  visit(OptionInfo{"scale", "--scale",
                   "Feature scaling: none, standard, minmax (regression targets are standardized unless none)"},
        o.scale);
  visit(OptionInfo{"standardize_targets", "", "Standardize regression targets (default: unless scale is none)"},
        o.standardize_targets);
  visit(OptionInfo{"missing", "--missing",
                   "Missing feature values (empty, NA, N/A, NaN, null, ?): impute, drop (the row) or error"},
        o.missing);
  visit(OptionInfo{"initializer", "--initializer",
                   "Weight initializer: default, xavier_uniform, xavier_normal, kaiming_uniform, kaiming_normal, "
                   "lecun_normal, orthogonal, zeros, constant:V"},
        o.initializer);
  visit(OptionInfo{"init_from", "--init-from", "Start from the weights in this safetensors file", OnResume::same, false},
        o.init_from);
  visit(OptionInfo{"dtype", "--dtype",
                   "f32, f64, or bf16 (float32 model, trained with bfloat16 products where the CPU has avx512_bf16)"},
        o.precision);
  visit(OptionInfo{"clip_grad_norm", "--clip-grad-norm,--clip-norm", "Clip the gradient norm to this value; 0: off"},
        o.clip_grad_norm);
  visit(OptionInfo{"deterministic", "--deterministic",
                   "The same model bit for bit whatever the number of processes under mpirun (1, 2, 4, ...: a power "
                   "of two dividing --micro-batches): each batch in micro-batches summed in a fixed order",
                   OnResume::same, false},
        o.deterministic);
  visit(OptionInfo{"micro_batches", "--micro-batches", "With --deterministic: parts per batch", OnResume::same, false},
        o.micro_batches);
  visit(OptionInfo{"checkpoint", "--checkpoint",
                   "Write a checkpoint here (replaced atomically) every --checkpoint-every epochs, at the end and when "
                   "stopped: everything --resume needs",
                   OnResume::free, false},
        o.checkpoint);
  visit(OptionInfo{"checkpoint_every", "--checkpoint-every", "Epochs between checkpoints", OnResume::free, false},
        o.checkpoint_every);
}

}  // namespace mlp
