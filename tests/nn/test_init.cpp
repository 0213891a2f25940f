// Tests for the weight initializers: init_default unchanged, torch.nn.init's formulas (bounds,
// sample standard deviations on a big layer, per-layer gains, fan modes), orthogonality and the
// same Q as numpy's QR, draw order against numpy, reproducibility, calculate_gain and parse_init.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "mlp/core/error.h"
#include "mlp/nn/init.h"
#include "mlp/nn/model.h"

namespace {

using mlp::Activation;
using mlp::ActivationKind;
using mlp::InitKind;
using mlp::InitOptions;
using mlp::InvalidArgument;

mlp::ModelConfig config(std::vector<std::size_t> sizes, Activation hidden = Activation{ActivationKind::relu},
                        Activation output = Activation{ActivationKind::identity}) {
  mlp::ModelConfig c;
  c.sizes = std::move(sizes);
  c.hidden_activations = {hidden};
  c.output = output;
  return c;
}

InitOptions options(InitKind kind) {
  InitOptions o;
  o.kind = kind;
  return o;
}

template <typename T>
std::vector<double> weights(const mlp::Model<T>& m, std::size_t layer) {
  const T* w = m.weight(layer);
  return std::vector<double>(w, w + m.layer_outputs(layer) * m.layer_inputs(layer));
}

double sample_std(const std::vector<double>& v) {
  double mean = 0, sq = 0;
  for (double x : v) mean += x;
  mean /= static_cast<double>(v.size());
  for (double x : v) sq += (x - mean) * (x - mean);
  return std::sqrt(sq / static_cast<double>(v.size()));
}

double max_abs(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::fabs(x));
  return m;
}

const InitKind kDrawingKinds[] = {InitKind::default_,       InitKind::xavier_uniform, InitKind::xavier_normal,
                                  InitKind::kaiming_uniform, InitKind::kaiming_normal, InitKind::lecun_normal,
                                  InitKind::orthogonal,      InitKind::tutorial};

// ---- the existing initializers ------------------------------------------------------------------

TEST(Init, DefaultIsUnchanged) {
  mlp::Model<double> m(config({2, 4, 1}));
  mlp::Random rng(0);
  mlp::init_default(m, rng);
  // np.random.seed(0); w0 = (2*rand(4,2)-1)/sqrt(2); b0 = (2*rand(4)-1)/sqrt(2);
  // w1 = (2*rand(1,4)-1)*0.5; b1 = (2*rand(1)-1)*0.5
  EXPECT_EQ(m.weight(0)[0], 0.069032719280975);
  EXPECT_EQ(m.weight(0)[1], 0.30432372040234845);
  EXPECT_EQ(m.bias(0)[0], 0.6557181642679037);
  EXPECT_EQ(m.weight(1)[0], 0.06804456109393231);
  EXPECT_EQ(m.bias(1)[0], -0.4797816025596743);
}

TEST(Init, InitModelDispatchesToDefaultAndTutorial) {
  for (InitKind kind : {InitKind::default_, InitKind::tutorial}) {
    mlp::Model<double> a(config({3, 5, 2})), b(config({3, 5, 2}));
    mlp::Random ra(99), rb(99);
    if (kind == InitKind::default_) mlp::init_default(a, ra);
    else mlp::init_tutorial(a, ra);
    mlp::init_model(b, options(kind), rb);
    EXPECT_TRUE(std::ranges::equal(a.parameters(), b.parameters())) << static_cast<int>(kind);
  }
}

// ---- draw order against numpy -------------------------------------------------------------------

TEST(Init, KaimingNormalDrawsLayerByLayerRowMajor) {
  mlp::Model<double> m(config({3, 2, 2}));  // relu hidden, identity output
  mlp::Random rng(0);
  mlp::init_model(m, options(InitKind::kaiming_normal), rng);
  // np.random.seed(0); w0 = sqrt(2)/sqrt(3) * randn(2, 3); w1 = 1/sqrt(2) * randn(2, 2)
  EXPECT_DOUBLE_EQ(m.weight(0)[0], 1.440342709060132);
  EXPECT_DOUBLE_EQ(m.weight(0)[5], -0.7979440475353866);
  EXPECT_DOUBLE_EQ(m.weight(1)[0], 0.6718139627591401);
  EXPECT_DOUBLE_EQ(m.weight(1)[3], 0.2903369850656608);
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t k = 0; k < 2; ++k) EXPECT_EQ(m.bias(i)[k], 0.0);
}

TEST(Init, XavierUniformDrawsLayerByLayerRowMajor) {
  mlp::Model<double> m(config({3, 2, 2}));
  mlp::Random rng(0);
  mlp::init_model(m, options(InitKind::xavier_uniform), rng);
  // np.random.seed(0); w0 = (2*rand(2,3)-1) * sqrt(3)*sqrt(2)*sqrt(2/5); w1 = (2*rand(2,2)-1) * sqrt(3)*sqrt(2/4)
  EXPECT_DOUBLE_EQ(m.weight(0)[0], 0.15124311022444728);
  EXPECT_DOUBLE_EQ(m.weight(0)[5], 0.45203637617348885);
  EXPECT_DOUBLE_EQ(m.weight(1)[0], -0.15287948583052818);
  EXPECT_DOUBLE_EQ(m.weight(1)[3], -0.2855088040706437);
}

TEST(Init, OrthogonalMatchesNumpyQR) {
  // np.random.seed(7); for (rows, cols, gain) in ((4, 2, 5/3), (3, 4, 1)):
  //   a = randn(rows, cols); a = a.T if rows < cols; q, r = np.linalg.qr(a); q *= sign(diag(r));
  //   w = (q.T if rows < cols else q) * gain
  const std::vector<double> w0 = {1.5100676152413983,     -0.08261246578907316, 0.029316718572535358,
                                  0.38116068670961967,    -0.7047080761728431,  -0.15934756043032494,
                                  -0.0007953400803717471, -1.6125377031765744};
  const std::vector<double> w1 = {0.7549989049750845,  0.44550892287515703, -0.46400479125276506,
                                  -0.12727139042030688, 0.054543969275157485, -0.3469550303647309,
                                  0.012418149998527948, -0.9362120229258615, 0.10616494823141681,
                                  0.5794168086926381,  0.783416190478598,   -0.1981520579440462};
  mlp::Model<double> m(config({2, 4, 3}, Activation{ActivationKind::tanh}));
  mlp::Random rng(7);
  mlp::init_model(m, options(InitKind::orthogonal), rng);
  const std::vector<double> got0 = weights(m, 0), got1 = weights(m, 1);
  ASSERT_EQ(got0.size(), w0.size());
  ASSERT_EQ(got1.size(), w1.size());
  for (std::size_t k = 0; k < w0.size(); ++k) EXPECT_NEAR(got0[k], w0[k], 1e-12) << k;
  for (std::size_t k = 0; k < w1.size(); ++k) EXPECT_NEAR(got1[k], w1[k], 1e-12) << k;
}

// ---- reproducibility ------------------------------------------------------------------------------

TEST(Init, SameSeedSameWeightsOtherSeedOtherWeights) {
  for (InitKind kind : kDrawingKinds) {
    SCOPED_TRACE(static_cast<int>(kind));
    mlp::Model<float> a(config({5, 7, 3})), b(config({5, 7, 3})), c(config({5, 7, 3}));
    mlp::Random ra(42), rb(42), rc(43);
    mlp::init_model(a, options(kind), ra);
    mlp::init_model(b, options(kind), rb);
    mlp::init_model(c, options(kind), rc);
    EXPECT_TRUE(std::ranges::equal(a.parameters(), b.parameters()));
    EXPECT_FALSE(std::ranges::equal(a.parameters(), c.parameters()));
    // Two calls on one generator continue the stream.
    mlp::init_model(b, options(kind), rb);
    EXPECT_FALSE(std::ranges::equal(a.parameters(), b.parameters()));
  }
}

// ---- the formulas, on a big layer -----------------------------------------------------------------

// Layer 0 is (400, 300): fan_in 300, fan_out 400. With 120000 samples the sample std has a relative
// standard error of about 1/sqrt(2*120000) = 0.2%; 1% is 5 of those, while fan_in for fan_out is
// off by 15%, fan_in+fan_out for 2*fan_in by 8% and a missing relu gain by 41%.
constexpr double kStdTol = 0.01;

struct Expect {
  InitKind kind;
  bool fan_out;
  double std;    // of layer 0, whose activation is hidden
  double bound;  // 0 for normal kinds
};

void check_layer0(Activation hidden, const Expect& e) {
  mlp::Model<double> m(config({300, 400, 10}, hidden));
  mlp::Random rng(2024);
  InitOptions o = options(e.kind);
  o.fan_out = e.fan_out;
  mlp::init_model(m, o, rng);
  const std::vector<double> w = weights(m, 0);
  EXPECT_NEAR(sample_std(w) / e.std, 1.0, kStdTol) << "std " << sample_std(w) << ", expected " << e.std;
  if (e.bound > 0) {
    EXPECT_LE(max_abs(w), e.bound);
    EXPECT_GE(max_abs(w), 0.999 * e.bound);  // P(all 120000 below) = 0.999^120000 ~ e^-120
  } else {
    EXPECT_GT(max_abs(w), 3.5 * e.std);  // a normal reaches 3.5 sigma in 120000 draws
  }
}

TEST(Init, XavierUniformBoundAndStd) {
  const double relu_gain = std::sqrt(2.0), bound = relu_gain * std::sqrt(6.0 / 700);
  check_layer0(Activation{ActivationKind::relu}, {InitKind::xavier_uniform, false, bound / std::sqrt(3.0), bound});
}

TEST(Init, XavierNormalStd) {
  const double tanh_gain = 5.0 / 3;
  check_layer0(Activation{ActivationKind::tanh}, {InitKind::xavier_normal, false, tanh_gain * std::sqrt(2.0 / 700), 0});
}

TEST(Init, KaimingUniformFanInAndFanOut) {
  const double g = std::sqrt(2.0);
  check_layer0(Activation{ActivationKind::relu},
               {InitKind::kaiming_uniform, false, g / std::sqrt(300.0), std::sqrt(3.0) * g / std::sqrt(300.0)});
  check_layer0(Activation{ActivationKind::relu},
               {InitKind::kaiming_uniform, true, g / std::sqrt(400.0), std::sqrt(3.0) * g / std::sqrt(400.0)});
}

TEST(Init, KaimingNormalFanInAndFanOut) {
  const double g = std::sqrt(2.0);
  check_layer0(Activation{ActivationKind::relu}, {InitKind::kaiming_normal, false, g / std::sqrt(300.0), 0});
  check_layer0(Activation{ActivationKind::relu}, {InitKind::kaiming_normal, true, g / std::sqrt(400.0), 0});
  // leaky_relu:0.2 -> gain sqrt(2/1.04), 2% below relu's
  const Activation leaky = mlp::parse_activation("leaky_relu:0.2");
  check_layer0(leaky, {InitKind::kaiming_normal, false, std::sqrt(2.0 / 1.04) / std::sqrt(300.0), 0});
}

TEST(Init, LecunNormalIgnoresTheActivationsGain) {
  check_layer0(Activation{ActivationKind::relu}, {InitKind::lecun_normal, false, 1.0 / std::sqrt(300.0), 0});
  check_layer0(Activation{ActivationKind::selu}, {InitKind::lecun_normal, false, 1.0 / std::sqrt(300.0), 0});
}

TEST(Init, EachLayerTakesTheGainOfItsOwnActivation) {
  // Hidden tanh (5/3), output sigmoid (1): layer 1 is (10, 400), fan_in 400, 4000 samples (1.1%
  // standard error; 5% tolerance, against the 67% of the hidden layer's gain).
  mlp::Model<double> m(config({300, 400, 10}, Activation{ActivationKind::tanh}, Activation{ActivationKind::sigmoid}));
  mlp::Random rng(5);
  mlp::init_model(m, options(InitKind::kaiming_normal), rng);
  EXPECT_NEAR(sample_std(weights(m, 0)) / (5.0 / 3 / std::sqrt(300.0)), 1.0, kStdTol);
  EXPECT_NEAR(sample_std(weights(m, 1)) / (1.0 / std::sqrt(400.0)), 1.0, 0.05);
}

TEST(Init, ExplicitGainOverridesTheActivations) {
  mlp::Model<double> m(config({300, 400, 10}, Activation{ActivationKind::relu}));
  mlp::Random rng(6);
  InitOptions o = options(InitKind::xavier_normal);
  o.gain = 0.5;
  mlp::init_model(m, o, rng);
  EXPECT_NEAR(sample_std(weights(m, 0)) / (0.5 * std::sqrt(2.0 / 700)), 1.0, kStdTol);
  EXPECT_NEAR(sample_std(weights(m, 1)) / (0.5 * std::sqrt(2.0 / 410)), 1.0, 0.05);
}

// ---- orthogonal -------------------------------------------------------------------------------------

// max |G - gain²·I| for the Gram matrix G of w (rows, cols): WᵀW (of its columns) or WWᵀ (of its rows).
double gram_error(const std::vector<double>& w, std::size_t rows, std::size_t cols, double gain, bool of_rows) {
  const std::size_t n = of_rows ? rows : cols, len = of_rows ? cols : rows;
  auto at = [&](std::size_t vec, std::size_t k) { return of_rows ? w[vec * cols + k] : w[k * cols + vec]; };
  double worst = 0;
  for (std::size_t a = 0; a < n; ++a)
    for (std::size_t b = a; b < n; ++b) {
      double dot = 0;
      for (std::size_t k = 0; k < len; ++k) dot += at(a, k) * at(b, k);
      worst = std::max(worst, std::fabs(dot - (a == b ? gain * gain : 0.0)));
    }
  return worst;
}

// WᵀW for a tall (or square) w, WWᵀ for a wide one.
double orthogonality_error(const std::vector<double>& w, std::size_t rows, std::size_t cols, double gain) {
  return gram_error(w, rows, cols, gain, rows < cols);
}

TEST(Init, OrthogonalTallAndWideTimesGain) {
  // Layer 0 (400, 300) is tall: WᵀW = 2·I (relu). Layer 1 (10, 400) is wide: WWᵀ = I (identity).
  mlp::Model<double> m(config({300, 400, 10}));
  mlp::Random rng(11);
  mlp::init_model(m, options(InitKind::orthogonal), rng);
  EXPECT_LT(orthogonality_error(weights(m, 0), 400, 300, std::sqrt(2.0)), 1e-10);
  EXPECT_LT(orthogonality_error(weights(m, 1), 10, 400, 1.0), 1e-10);
  // The other Gram matrix of a non-square orthogonal matrix is a projection (trace 10 over 400
  // diagonal entries), not gain²·I, so the check can tell them apart.
  EXPECT_GT(gram_error(weights(m, 1), 10, 400, 1.0, false), 0.5);

  mlp::Model<double> sq(config({64, 64, 64}, Activation{ActivationKind::tanh}));
  mlp::init_model(sq, options(InitKind::orthogonal), rng);
  EXPECT_LT(orthogonality_error(weights(sq, 0), 64, 64, 5.0 / 3), 1e-10);
}

TEST(Init, OrthogonalFloat) {
  mlp::Model<float> m(config({30, 50, 20}));
  mlp::Random rng(12);
  mlp::init_model(m, options(InitKind::orthogonal), rng);
  EXPECT_LT(orthogonality_error(weights(m, 0), 50, 30, std::sqrt(2.0)), 1e-5);
  EXPECT_LT(orthogonality_error(weights(m, 1), 20, 50, 1.0), 1e-5);
}

// ---- zeros and constant -----------------------------------------------------------------------------

TEST(Init, ZerosAndConstantDrawNothingAndZeroTheBiases) {
  mlp::Model<double> m(config({3, 4, 2}));
  mlp::Random first(1);
  mlp::init_default(m, first);  // non-zero biases to overwrite
  mlp::Random rng(3), untouched(3);
  InitOptions o = options(InitKind::constant);
  o.value = -0.25;
  mlp::init_model(m, o, rng);
  for (std::size_t i = 0; i < m.num_layers(); ++i) {
    for (double w : weights(m, i)) EXPECT_EQ(w, -0.25);
    for (std::size_t k = 0; k < m.layer_outputs(i); ++k) EXPECT_EQ(m.bias(i)[k], 0.0);
  }
  mlp::init_model(m, options(InitKind::zeros), rng);
  for (double p : m.parameters()) EXPECT_EQ(p, 0.0);
  EXPECT_EQ(rng.next_u32(), untouched.next_u32());  // no draws consumed
}

// ---- calculate_gain ---------------------------------------------------------------------------------

TEST(Init, CalculateGainMatchesTorch) {
  // torch 1.13: torch.nn.init.calculate_gain('linear') = 1, ('sigmoid') = 1,
  // ('tanh') = 1.6666666666666667, ('relu') = 1.4142135623730951,
  // ('leaky_relu') = 1.4141428569978354 (slope 0.01), ('leaky_relu', 0.2) = 1.3867504905630728,
  // ('selu') = 0.75
  EXPECT_EQ(mlp::calculate_gain(Activation{ActivationKind::identity}), 1.0);
  EXPECT_EQ(mlp::calculate_gain(Activation{ActivationKind::sigmoid}), 1.0);
  EXPECT_EQ(mlp::calculate_gain(Activation{ActivationKind::tanh}), 1.6666666666666667);
  EXPECT_EQ(mlp::calculate_gain(Activation{ActivationKind::relu}), 1.4142135623730951);
  EXPECT_EQ(mlp::calculate_gain(Activation{ActivationKind::leaky_relu}), 1.4141428569978354);
  EXPECT_EQ(mlp::calculate_gain(mlp::parse_activation("leaky_relu:0.2")), 1.3867504905630728);
  EXPECT_EQ(mlp::calculate_gain(Activation{ActivationKind::selu}), 0.75);
  // No gain in torch (it raises); ours is 1.
  EXPECT_EQ(mlp::calculate_gain(Activation{ActivationKind::gelu}), 1.0);
  EXPECT_EQ(mlp::calculate_gain(Activation{ActivationKind::softmax}), 1.0);
}

// ---- parse_init ---------------------------------------------------------------------------------------

TEST(Init, ParseEveryName) {
  const std::vector<std::string>& names = mlp::init_names();
  ASSERT_EQ(names.size(), 10u);
  for (std::size_t i = 0; i < names.size(); ++i) {
    const InitOptions o = mlp::parse_init(names[i]);
    EXPECT_EQ(static_cast<std::size_t>(o.kind), i) << names[i];  // the order of InitKind
    EXPECT_FALSE(o.fan_out);
    EXPECT_EQ(o.gain, 0.0);
    EXPECT_EQ(o.value, 0.0);
  }
  EXPECT_EQ(names.front(), "default");
  EXPECT_EQ(mlp::parse_init("kaiming_normal").kind, InitKind::kaiming_normal);
  const InitOptions c = mlp::parse_init("constant:0.5");
  EXPECT_EQ(c.kind, InitKind::constant);
  EXPECT_EQ(c.value, 0.5);
  EXPECT_EQ(mlp::parse_init("constant:-2e-3").value, -2e-3);
}

TEST(Init, ParseErrorsListTheNames) {
  for (const char* bad : {"nope", "", "Xavier_uniform", "default_", "xavier_uniform:1", "constant:", "constant:abc",
                          "constant:1x", "constant:inf", "constant:nan"}) {
    try {
      mlp::parse_init(bad);
      ADD_FAILURE() << "no error for '" << bad << "'";
    } catch (const InvalidArgument& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("'" + std::string(bad)), std::string::npos) << what;
      EXPECT_NE(what.find("default, xavier_uniform, xavier_normal, kaiming_uniform, kaiming_normal, lecun_normal, "
                          "orthogonal, zeros, constant[:VALUE], tutorial"),
                std::string::npos)
          << what;
    }
  }
}

}  // namespace
