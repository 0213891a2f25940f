// bfloat16: the rounding, the mixed-precision product (bfloat16 inputs, float32 accumulation),
// and a model trained with it against the same model in float32.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <optional>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <vector>

#include "mlp/core/bf16.h"
#include "mlp/core/error.h"
#include "mlp/nn/init.h"
#include "mlp/core/matmul.h"
#include "mlp/nn/model.h"
#include "mlp/core/random.h"
#include "mlp/train/trainer.h"

namespace {

std::uint16_t bits(float x) { return static_cast<std::uint16_t>(mlp::to_bf16(x)); }

TEST(Bf16, RoundsToNearestTiesToEven) {
  // bfloat16 keeps 7 mantissa bits: next to 1.0 (0x3f80) its spacing is 2^-7.
  EXPECT_EQ(bits(1.0f), 0x3f80);
  EXPECT_EQ(bits(1.0f + 0x1p-8f), 0x3f80);            // halfway: to the even 0x3f80
  EXPECT_EQ(bits(1.0f + 0x1p-8f + 0x1p-20f), 0x3f81);  // just above halfway: up
  EXPECT_EQ(bits(1.0f + 0x1p-7f + 0x1p-8f), 0x3f82);  // halfway between 0x3f81 and 0x3f82: to the even one
  EXPECT_EQ(bits(-2.0f), 0xc000);
  EXPECT_EQ(bits(std::numeric_limits<float>::infinity()), 0x7f80);
  EXPECT_EQ(bits(std::numeric_limits<float>::max()), 0x7f80);  // rounds up past the largest bfloat16
  EXPECT_TRUE(std::isnan(mlp::to_float(mlp::to_bf16(std::numeric_limits<float>::quiet_NaN()))));
  // A NaN whose payload sits in the low half only must not become infinity.
  EXPECT_TRUE(std::isnan(mlp::to_float(mlp::to_bf16(std::bit_cast<float>(0x7f800001u)))));
  EXPECT_EQ(mlp::to_float(mlp::to_bf16(0.15625f)), 0.15625f);  // exact in bfloat16: unchanged
}

TEST(Bf16, BufferFormEqualsScalarForm) {
  mlp::Random rng(3);
  std::vector<float> x(1000);
  for (auto& v : x) v = static_cast<float>(rng.randn() * 100);
  std::vector<mlp::bf16> out(x.size());
  mlp::to_bf16(out.data(), x.data(), x.size());
  for (std::size_t i = 0; i < x.size(); ++i) ASSERT_EQ(out[i], mlp::to_bf16(x[i])) << i;
}

// C = alpha * op(A) op(B) + beta * C from bfloat16 inputs equals the float64 product of the
// rounded inputs to float32 accumulation's precision, and differs from the product of the
// unrounded inputs by bfloat16's (so the inputs really were rounded).
TEST(Bf16, ProductIsThatOfTheRoundedInputs) {
  const std::size_t M = 64, N = 48, K = 96;  // 294912 multiply-adds: the libraries' path
  mlp::Random rng(7);
  std::vector<float> a(M * K), b(K * N), c0(M * N);
  for (auto& v : a) v = static_cast<float>(rng.randn());
  for (auto& v : b) v = static_cast<float>(rng.randn());
  for (auto& v : c0) v = static_cast<float>(rng.randn());
  std::vector<mlp::bf16> ab(a.size()), bb(b.size());
  mlp::to_bf16(ab.data(), a.data(), a.size());
  mlp::to_bf16(bb.data(), b.data(), b.size());
  for (bool library : {true, false})  // oneDNN (where it runs bf16), then the plain loops
    for (bool ta : {false, true})
      for (bool tb : {false, true})
        for (float beta : {0.0f, 1.0f}) {
          std::vector<float> c = c0;
          {
            std::optional<mlp::WithoutOnednnProducts> loops;
            if (!library) loops.emplace();
            mlp::matmul(c.data(), ab.data(), bb.data(), M, N, K, ta, tb, 1.0f, beta);
          }
          double worst_rounded = 0, worst_unrounded = 0;
          for (std::size_t i = 0; i < M; ++i)
            for (std::size_t j = 0; j < N; ++j) {
              double rounded = 0, unrounded = 0;
              for (std::size_t k = 0; k < K; ++k) {
                // Stored A is (M, K), or (K, M) read transposed; B (K, N) or (N, K).
                const std::size_t ia = ta ? k * M + i : i * K + k, ib = tb ? j * K + k : k * N + j;
                rounded += double(mlp::to_float(ab[ia])) * double(mlp::to_float(bb[ib]));
                unrounded += double(a[ia]) * double(b[ib]);
              }
              const double base = beta * double(c0[i * N + j]);
              worst_rounded = std::max(worst_rounded, std::abs(c[i * N + j] - (rounded + base)));
              worst_unrounded = std::max(worst_unrounded, std::abs(c[i * N + j] - (unrounded + base)));
            }
          // Sums of 96 products of unit normals (about 10 in size): float32 accumulation errs by
          // about 1e-6 of that, bfloat16 inputs (2^-9 relative each) by about 1e-2.
          EXPECT_LT(worst_rounded, 1e-4) << "library " << library << " ta " << ta << " tb " << tb << " beta " << beta;
          EXPECT_GT(worst_unrounded, 1e-3) << "library " << library << " ta " << ta << " tb " << tb << " beta " << beta;
        }
}

TEST(Bf16, Float64ModelsRefuseIt) {
  mlp::Model<double> model(mlp::ModelConfig{.sizes = {2, 4, 1}});
  EXPECT_THROW(model.set_bf16_products(true), mlp::InvalidArgument);
  model.set_bf16_products(false);  // turning it off is always fine
  EXPECT_FALSE(model.bf16_products());
}

// Per-epoch training losses over 3 epochs of 2048 rows (32 features, 4 classes from a random
// teacher network), 32-128-64-4 with ReLU and dropout, Adam, batch 64: bf16 products against
// float32's.
std::vector<double> loss_curve(bool bf16, std::size_t dropout_percent) {
  constexpr std::size_t rows = 2048, features = 32, classes = 4;
  mlp::Random data_rng(11);
  mlp::Matrix<float> x(rows, features), y(rows, 1);
  std::vector<float> teacher(features * classes);
  for (auto& v : teacher) v = static_cast<float>(data_rng.randn());
  for (std::size_t r = 0; r < rows; ++r) {
    float best = -1e30f;
    for (std::size_t c = 0; c < features; ++c) x(r, c) = static_cast<float>(data_rng.randn());
    for (std::size_t k = 0; k < classes; ++k) {
      float s = 0;
      for (std::size_t c = 0; c < features; ++c) s += x(r, c) * teacher[c * classes + k];
      if (s > best) best = s, y(r, 0) = static_cast<float>(k);
    }
  }
  mlp::ModelConfig config{.sizes = {features, 128, 64, classes}};
  config.dropout = static_cast<double>(dropout_percent) / 100.0;
  mlp::Model<float> model(config);
  mlp::Random rng(2);
  mlp::init_default(model, rng);
  model.set_bf16_products(bf16);
  mlp::TrainOptions options;
  options.epochs = 3;
  options.batch_size = 64;
  options.seed = 4;
  mlp::Trainer<float> trainer(model, mlp::Loss{mlp::LossKind::cross_entropy}, mlp::AdamOptions{.lr = 1e-3}, options);
  std::vector<double> losses;
  for (const mlp::EpochStats& s : trainer.fit(x, y)) losses.push_back(s.train_loss);
  return losses;
}

// The band: each epoch's mean loss within 0.5% of float32's (measured: at most 0.04%). bfloat16
// inputs carry 8 significant bits, so the curves do not coincide, but training must not drift.
TEST(Bf16, LossCurveStaysWithinHalfAPercentOfFloat32) {
  for (std::size_t dropout : {0u, 20u}) {
    const std::vector<double> f32 = loss_curve(false, dropout), bf16 = loss_curve(true, dropout);
    ASSERT_EQ(f32.size(), 3u);
    ASSERT_EQ(bf16.size(), 3u);
    EXPECT_LT(f32[2], 0.8 * f32[0]) << "the float32 run must learn for the comparison to mean anything";
    for (std::size_t e = 0; e < 3; ++e) {
      EXPECT_NEAR(bf16[e], f32[e], 0.005 * f32[e]) << "epoch " << e + 1 << ", dropout " << dropout << "%";
      std::printf("epoch %zu dropout %zu%%: float32 %.6f bf16 %.6f (%.3f%%)\n", e + 1, dropout, f32[e], bf16[e],
                  100 * std::abs(bf16[e] - f32[e]) / f32[e]);
    }
    EXPECT_NE(bf16, f32) << "bf16 products must change the arithmetic";
  }
}

}  // namespace
