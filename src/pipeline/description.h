// Pieces of how a model is described (info, fit's plan, messages): its shape and lists of names.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "mlp/nn/model.h"

namespace mlp {

// "8-100-1": the layer widths.
std::string shape_of(const ModelConfig& c);
// The names escaped for a message, comma-separated, the first `limit` of them (", ..." after).
std::string join(const std::vector<std::string>& names, std::size_t limit = 20);

}  // namespace mlp
