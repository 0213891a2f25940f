// The exporters' shared pieces: batch normalization folded into the dense layers (exported_layers)
// computes what the model computes in evaluation mode, and the C export's identifiers. The exports
// themselves are tested end to end by tests/export/ (CTest Export.*).
#include <gtest/gtest.h>

#include <cmath>

#include "mlp/core/error.h"
#include "mlp/export/c_export.h"
#include "export/exported_layers.h"
#include "mlp/nn/model.h"

namespace {

TEST(ExportedLayers, BatchNormFoldedComputesWhatTheModelComputes) {
  mlp::ModelConfig c;
  c.sizes = {3, 5, 4, 2};
  c.hidden_activations = {mlp::Activation(mlp::ActivationKind::tanh), mlp::Activation(mlp::ActivationKind::relu)};
  c.batch_norm = true;
  c.dropout = 0.3;  // left out: it does nothing in evaluation
  mlp::Model<double> m(c);
  for (std::size_t l = 0; l < 2; ++l)
    for (std::size_t i = 0; i < c.sizes[l + 1]; ++i) {  // statistics and affine parameters as if trained
      m.running_mean(l)[i] = 0.1 * double(i) - 0.2;
      m.running_var(l)[i] = 0.5 + 0.3 * double(i);
      m.norm_weight(l)[i] = 1.2 - 0.1 * double(i);
      m.norm_bias(l)[i] = 0.05 * double(i) - 0.1;
    }
  mlp::Matrix<double> x(4, 3);
  for (std::size_t r = 0; r < 4; ++r)
    for (std::size_t k = 0; k < 3; ++k) x(r, k) = std::sin(double(3 * r + k));
  const mlp::Matrix<double> want = m.predict(x);

  const auto layers = mlp::io::exported_layers(m);
  ASSERT_EQ(layers.size(), 3u);
  EXPECT_EQ(layers[0].activation.kind, mlp::ActivationKind::tanh);
  EXPECT_EQ(layers[2].activation.kind, mlp::ActivationKind::identity);
  for (std::size_t r = 0; r < 4; ++r) {
    std::vector<double> v(x.row(r), x.row(r) + 3);
    for (const auto& l : layers) {
      std::vector<double> y(l.outputs);
      for (std::size_t o = 0; o < l.outputs; ++o) {
        y[o] = l.bias[o];
        for (std::size_t i = 0; i < l.inputs; ++i) y[o] += l.weight[o * l.inputs + i] * v[i];
      }
      mlp::activation_forward(l.activation, y.data(), y.data(), 1, l.outputs);
      v = y;
    }
    for (std::size_t o = 0; o < 2; ++o) EXPECT_NEAR(v[o], want(r, o), 1e-12) << "row " << r << ", output " << o;
  }
}

TEST(ExportedLayers, LayersWithoutBatchNormAreCopiedExactly) {
  mlp::ModelConfig c;
  c.sizes = {2, 3, 1};
  mlp::Model<float> m(c);
  const auto layers = mlp::io::exported_layers(m);
  for (std::size_t l = 0; l < 2; ++l) {
    EXPECT_EQ(layers[l].weight, std::vector<float>(m.weight(l), m.weight(l) + c.sizes[l] * c.sizes[l + 1]));
    EXPECT_EQ(layers[l].bias, std::vector<float>(m.bias(l), m.bias(l) + c.sizes[l + 1]));
  }
}

TEST(CExport, IdentifiersFromFileNames) {
  EXPECT_EQ(mlp::io::c_identifier("model"), "model");
  EXPECT_EQ(mlp::io::c_identifier("iris-v2"), "iris_v2");
  EXPECT_EQ(mlp::io::c_identifier("2nd"), "m2nd");
  EXPECT_EQ(mlp::io::c_identifier("_x"), "m_x");
  EXPECT_EQ(mlp::io::c_identifier(""), "model");
  EXPECT_EQ(mlp::io::c_identifier("caf\xc3\xa9"), "caf__");
}

TEST(CExport, RefusesANameThatIsNotAnIdentifier) {
  mlp::io::ModelDescription d;
  d.config.sizes = {2, 1};
  d.config.hidden_activations = {};
  const std::variant<mlp::Model<float>, mlp::Model<double>> net = mlp::Model<float>(d.config);
  EXPECT_THROW(mlp::io::export_c(d, net, "1model"), mlp::InvalidArgument);
  EXPECT_THROW(mlp::io::export_c(d, net, "my-model"), mlp::InvalidArgument);
  const mlp::io::CSource c = mlp::io::export_c(d, net, "tiny");
  EXPECT_NE(c.header.find("int tiny_predict(const float *features, float *outputs);"), std::string::npos) << c.header;
  EXPECT_NE(c.header.find("#define TINY_FEATURES 2"), std::string::npos);
  EXPECT_NE(c.source.find("#include \"tiny.h\""), std::string::npos);
}

}  // namespace
