// A checkpoint: a model file with a training state, then that state resumed by a trainer of the
// model for one more epoch over two rows of zeros (the trainer must turn a state that does not
// fit into an error before it trains).
#include <nlohmann/json.hpp>

#include "fuzz_target.h"
#include "mlp/formats/checkpoint.h"

static void read(std::string_view bytes) {
  mlp::io::Checkpoint<float> c = mlp::io::checkpoint_from_bytes<float>(bytes, "fuzz.safetensors");
  predict_zeros(mlp::Pipeline::deserialize(bytes, "fuzz.safetensors"));
  const std::size_t inputs = c.model.inputs(), outputs = c.model.outputs();
  if (inputs > 4096 || outputs > 4096 || c.state.epochs_done > 1000000) return;
  const std::string optimizer = nlohmann::json::parse(c.options_json).value("optimizer", "sgd");
  mlp::TrainOptions options;
  options.epochs = c.state.epochs_done + 1;
  mlp::Trainer<float> trainer(c.model, c.description.loss, mlp::default_optimizer_options(optimizer), options);
  trainer.resume_from(c.state);
  mlp::Matrix<float> x(2, inputs), y(2, c.description.loss.class_targets() ? 1 : outputs);
  trainer.fit(x, y);
}

MLP_FUZZ_TARGET(read)
