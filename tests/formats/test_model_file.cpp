// mlp::io model files read back as the library sees them: the description and the weights'
// stored dtype, which the CLI's predict and eval run in.
#include <gtest/gtest.h>

#include "mlp/nn/init.h"
#include "mlp/formats/model_file.h"
#include "temp_files.h"

namespace {

template <typename T>
std::string saved_model(const std::string& name) {
  mlp::ModelConfig c;
  c.sizes = {3, 4, 2};
  mlp::Model<T> model(c);
  mlp::Random rng(1);
  mlp::init_default(model, rng);
  mlp::io::ModelDescription d;
  d.config = c;
  d.training_json = R"({"dtype": "f32"})";  // what the description says does not decide
  const std::string path = mlp_test::temp_path(name);
  mlp::io::save_model(path, model, d);
  return path;
}

TEST(ModelFile, DescriptionReportsTheStoredWeightDtype) {
  EXPECT_EQ(mlp::io::read_description(saved_model<float>("m32.safetensors")).weight_dtype, "F32");
  EXPECT_EQ(mlp::io::read_description(saved_model<double>("m64.safetensors")).weight_dtype, "F64");
  const mlp::io::LoadedModel<double> loaded = mlp::io::load_model<double>(saved_model<double>("l64.safetensors"));
  EXPECT_EQ(loaded.description.weight_dtype, "F64");
  EXPECT_EQ(loaded.description.config.sizes, (std::vector<std::size_t>{3, 4, 2}));
}

}  // namespace
