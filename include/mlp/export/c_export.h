// A model as dependency-free C99 source, for embedded targets (in the spirit of emlearn and
// TensorFlow Lite for Microcontrollers): a header and a .c file holding the weights as static
// const arrays and one function that preprocesses a row, runs the network and computes the
// outputs (the targets in their units, or the class probabilities and the class). No allocation,
// no global state, nothing but <math.h>. docs/export.md describes the API.
#pragma once

#include <string>
#include <variant>

#include "mlp/formats/model_file.h"
#include "mlp/nn/model.h"

namespace mlp::io {

struct CSource {
  std::string header;  // NAME.h
  std::string source;  // NAME.c, which includes "NAME.h"
};

// `name` is the files' stem and the prefix of every identifier (NAME_predict, NAME_FEATURES,
// NAME_H); it must be a C identifier (c_identifier makes one). float models compute in float,
// double models in double. Throws InvalidArgument for a name that is not an identifier.
CSource export_c(const ModelDescription& description, const std::variant<Model<float>, Model<double>>& network,
                 const std::string& name);

// A C identifier from a file name's stem: other characters become '_', a leading digit gets
// a leading "m"; "" gives "model". "iris-v2" -> "iris_v2".
std::string c_identifier(const std::string& stem);

}  // namespace mlp::io
