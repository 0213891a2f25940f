// A whole model file: safetensors plus the mlp description in its metadata, then one prediction
// (the description's shapes must agree with the tensors before anything runs).
#include "fuzz_target.h"
#include "mlp/pipeline/pipeline.h"

static void read(std::string_view bytes) { predict_zeros(mlp::Pipeline::deserialize(bytes, "fuzz.safetensors")); }

MLP_FUZZ_TARGET(read)
