// A training history (one EpochStats per epoch) as files: CSV rows and an SVG plot.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "mlp/train/trainer.h"

namespace mlp::io {

// "epoch,seconds,lr,train_loss,val_loss,val_<metric>...", one row per epoch (val_loss empty
// without validation).
std::string history_csv(const std::vector<EpochStats>& history);

// Two panels sharing the epoch axis: the losses above, the validation metrics that lie in [0, 1]
// (accuracy, f1, r2, ...) below when there are any; the best epoch (1-based; 0: none) marked in
// both, legends beside the plots.
std::string history_plot(const std::vector<EpochStats>& history, const std::string& title, std::size_t best_epoch);

}  // namespace mlp::io
