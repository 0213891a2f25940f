// A whole model file: safetensors plus the mlp description in its metadata, then one prediction
// (the description's shapes must agree with the tensors before anything runs).
#include "fuzz_target.h"
#include "mlp/pipeline.h"

static void read(std::string_view bytes) {
  mlp::Pipeline p = mlp::Pipeline::deserialize(bytes, "fuzz.safetensors");
  if (p.description().preprocessor.columns.empty() && p.description().config.sizes.front() <= 4096) {
    mlp::data::Frame f;
    f.source = "fuzz rows";
    f.array = mlp::data::Array(mlp::data::DType::f64, 2, p.description().config.sizes.front());
    (void)p.predict(f);
  }
}

MLP_FUZZ_TARGET(read)
