// The compact text forms of options (the CLI and the Python module read them): schedules ("cosine", "step:step_size=10,gamma=0.5"),
// layer widths ("256,128") and per-layer activations ("relu,tanh").
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "mlp/nn/activation.h"
#include "mlp/train/schedule.h"

namespace mlp {

// NAME[:key=value,...]: none; step (step_size, gamma); multistep (milestones=30/80, gamma);
// exponential (gamma); cosine (t_max = epochs, eta_min); onecycle (max_lr = 10 x lr, pct_start,
// anneal=cos|linear, three_phase=0|1; total steps = epochs x batches); plateau (factor, patience,
// threshold, cooldown, min_lr). Throws InvalidArgument naming the bad part.
ScheduleOptions parse_schedule(const std::string& spec, std::size_t epochs, std::size_t steps_per_epoch, double lr);

// "256,128" -> {256, 128}; "" or "0" -> no hidden layer.
std::vector<std::size_t> parse_widths(const std::string& spec);
// "relu" or "relu,tanh" (one per hidden layer).
std::vector<Activation> parse_activations(const std::string& spec);

}  // namespace mlp
