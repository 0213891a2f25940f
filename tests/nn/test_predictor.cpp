// mlp::Predictor: the same outputs as Model::predict (to float32 rounding on the oneDNN path,
// exactly on the fallback), any number of rows, NaN passed on, a snapshot of the model.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "mlp/core/error.h"
#include "mlp/nn/init.h"
#include "mlp/nn/model.h"
#include "mlp/nn/predictor.h"

namespace {

using mlp::Activation;
using mlp::ActivationKind;

template <typename T>
mlp::Model<T> make_model(std::vector<std::size_t> sizes, Activation hidden, Activation output,
                         bool batch_norm = false) {
  mlp::ModelConfig c;
  c.sizes = std::move(sizes);
  c.hidden_activations = {hidden};
  c.output = output;
  c.batch_norm = batch_norm;
  mlp::Model<T> m(c);
  mlp::Random rng(3);
  mlp::init_default(m, rng);
  if (batch_norm) {  // running statistics away from (0, 1), so that evaluation mode shows
    for (std::size_t i = 0; i + 1 < m.num_layers(); ++i)
      for (std::size_t f = 0; f < m.layer_outputs(i); ++f) {
        m.running_mean(i)[f] = static_cast<T>(0.1 * static_cast<double>(f % 3));
        m.running_var(i)[f] = static_cast<T>(1.5 + 0.2 * static_cast<double>(f % 4));
      }
  }
  return m;
}

template <typename T>
mlp::Matrix<T> inputs(std::size_t rows, std::size_t cols, unsigned seed = 5) {
  mlp::Random rng(seed);
  mlp::Matrix<T> x(rows, cols);
  for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = static_cast<T>(2 * rng.rand() - 1);
  return x;
}

// Largest |a - b| over the matrices, relative to the largest |b| (at least 1).
template <typename T>
double max_relative_difference(const mlp::Matrix<T>& a, const mlp::Matrix<T>& b) {
  EXPECT_EQ(a.rows(), b.rows());
  EXPECT_EQ(a.cols(), b.cols());
  double diff = 0, scale = 1;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    diff = std::max(diff, std::abs(static_cast<double>(a.data()[i]) - static_cast<double>(b.data()[i])));
    scale = std::max(scale, std::abs(static_cast<double>(b.data()[i])));
  }
  return diff / scale;
}

constexpr bool kBuiltWithOneDnn =
#ifdef MLP_USE_DNNL
    true;
#else
    false;
#endif

TEST(Predictor, FloatReluNetworkMatchesModelPredictForAnyRowCount) {
  mlp::Model<float> model = make_model<float>({37, 64, 24, 5}, Activation{ActivationKind::relu},
                                              Activation{ActivationKind::identity});
  mlp::Predictor<float> predictor(model);
  EXPECT_EQ(predictor.packed(), kBuiltWithOneDnn);
  EXPECT_EQ(predictor.inputs(), 37u);
  EXPECT_EQ(predictor.outputs(), 5u);
  // One row, a short block, exactly one block, one more than a block, several uneven blocks, and
  // a row count seen before (cached primitives).
  for (std::size_t rows : {1u, 7u, 1024u, 1025u, 2500u, 7u}) {
    const mlp::Matrix<float> x = inputs<float>(rows, 37, static_cast<unsigned>(rows));
    const mlp::Matrix<float> got = predictor.predict(x);
    const mlp::Matrix<float> want = model.predict(x);
    EXPECT_LT(max_relative_difference(got, want), 1e-5) << rows << " rows";
    EXPECT_EQ(predictor.packed(), kBuiltWithOneDnn) << rows << " rows: oneDNN did not serve the call";
  }
}

TEST(Predictor, ManyDifferentRowCountsStayCorrect) {
  // More distinct row counts than the primitive cache keeps: it is pruned, not wrong.
  mlp::Model<float> model = make_model<float>({9, 16, 3}, Activation{ActivationKind::relu},
                                              Activation{ActivationKind::identity});
  mlp::Predictor<float> predictor(model);
  for (std::size_t rows = 1; rows <= 20; ++rows) {
    const mlp::Matrix<float> x = inputs<float>(rows, 9, static_cast<unsigned>(rows));
    EXPECT_LT(max_relative_difference(predictor.predict(x), model.predict(x)), 1e-5) << rows << " rows";
  }
  EXPECT_EQ(predictor.packed(), kBuiltWithOneDnn);
}

TEST(Predictor, ActivationsOutsideTheKernelAreAppliedAfterIt) {
  // tanh hidden layers and a softmax output are not fused into the product.
  mlp::Model<float> model = make_model<float>({12, 20, 20, 4}, Activation{ActivationKind::tanh},
                                              Activation{ActivationKind::softmax});
  mlp::Predictor<float> predictor(model);
  const mlp::Matrix<float> x = inputs<float>(300, 12);
  const mlp::Matrix<float> got = predictor.predict(x);
  EXPECT_LT(max_relative_difference(got, model.predict(x)), 1e-5);
  for (std::size_t r = 0; r < got.rows(); ++r) {
    double sum = 0;
    for (std::size_t c = 0; c < got.cols(); ++c) sum += got(r, c);
    EXPECT_NEAR(sum, 1.0, 1e-5) << "row " << r;
  }
}

TEST(Predictor, BatchNormAndDoubleModelsGiveModelPredictsValuesExactly) {
  mlp::Model<float> normed = make_model<float>({6, 10, 2}, Activation{ActivationKind::relu},
                                               Activation{ActivationKind::identity}, true);
  mlp::Predictor<float> p1(normed);
  EXPECT_FALSE(p1.packed());
  const mlp::Matrix<float> xf = inputs<float>(50, 6);
  const mlp::Matrix<float> a = p1.predict(xf), b = normed.predict(xf);
  EXPECT_TRUE(std::equal(a.data(), a.data() + a.size(), b.data()));

  mlp::Model<double> model = make_model<double>({6, 10, 2}, Activation{ActivationKind::relu},
                                                Activation{ActivationKind::identity});
  mlp::Predictor<double> p2(model);
  EXPECT_FALSE(p2.packed());
  const mlp::Matrix<double> xd = inputs<double>(1500, 6);  // more rows than a block
  const mlp::Matrix<double> c = p2.predict(xd), d = model.predict(xd);
  EXPECT_TRUE(std::equal(c.data(), c.data() + c.size(), d.data()));
}

TEST(Predictor, NonFiniteInputsGiveWhatModelPredictGives) {
  // relu passes NaN on in Model::predict; a fused max instruction would turn it into 0.
  mlp::Model<float> model = make_model<float>({3, 8, 8, 2}, Activation{ActivationKind::relu},
                                              Activation{ActivationKind::identity});
  mlp::Predictor<float> predictor(model);
  mlp::Matrix<float> x = inputs<float>(4, 3);
  x(1, 0) = NAN;
  x(2, 2) = INFINITY;
  const mlp::Matrix<float> got = predictor.predict(x), want = model.predict(x);
  for (std::size_t r = 0; r < x.rows(); ++r)
    for (std::size_t c = 0; c < got.cols(); ++c) {
      EXPECT_EQ(std::isnan(got(r, c)), std::isnan(want(r, c))) << r << "," << c;
      if (std::isfinite(want(r, c))) {
        EXPECT_NEAR(got(r, c), want(r, c), 1e-5) << r << "," << c;
      }
    }
  EXPECT_TRUE(std::isnan(got(1, 0)));
}

TEST(Predictor, IsASnapshotOfTheModel) {
  mlp::Model<float> model = make_model<float>({4, 8, 1}, Activation{ActivationKind::relu},
                                              Activation{ActivationKind::identity});
  mlp::Predictor<float> predictor(model);
  const mlp::Matrix<float> x = inputs<float>(10, 4);
  const mlp::Matrix<float> before = model.predict(x);
  for (float& w : model.parameters()) w += 1.0f;
  EXPECT_LT(max_relative_difference(predictor.predict(x), before), 1e-5);
  EXPECT_GT(max_relative_difference(model.predict(x), before), 1e-3);  // the model did change
}

TEST(Predictor, ZeroRowsAndWrongWidths) {
  mlp::Model<float> model = make_model<float>({4, 8, 3}, Activation{ActivationKind::relu},
                                              Activation{ActivationKind::identity});
  mlp::Predictor<float> predictor(model);
  const mlp::Matrix<float> none = predictor.predict(mlp::Matrix<float>(0, 4));
  EXPECT_EQ(none.rows(), 0u);
  EXPECT_EQ(none.cols(), 3u);
  EXPECT_THROW(predictor.predict(mlp::Matrix<float>(2, 5)), mlp::ShapeError);
}

}  // namespace
