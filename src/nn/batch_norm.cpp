// Batch normalization's forward and backward passes over flat buffers, feature by feature,
// with the statistics and the sums in double.
#include "mlp/nn/batch_norm.h"

#include <cmath>
#include <string>

#include "mlp/core/error.h"

namespace mlp {

template <typename T>
void batch_norm_forward(T* out, T* xhat, T* inv_std, T* running_mean, T* running_var, const T* inp,
                        const T* weight, const T* bias, std::size_t B, std::size_t F, bool training,
                        double momentum, double eps) {
  if (!training) {
    for (std::size_t f = 0; f < F; ++f) inv_std[f] = static_cast<T>(1.0 / std::sqrt(running_var[f] + eps));
    for (std::size_t r = 0; r < B; ++r)
      for (std::size_t f = 0; f < F; ++f)
        out[r * F + f] = weight[f] * (inp[r * F + f] - running_mean[f]) * inv_std[f] + bias[f];
    return;
  }
  if (B < 2)
    throw InvalidArgument("batch norm: training needs at least 2 rows per batch, got " + std::to_string(B) +
                          " (choose a batch size that leaves no batch of 1 row)");
  const double m = momentum;
  for (std::size_t f = 0; f < F; ++f) {
    double mean = 0;
    for (std::size_t r = 0; r < B; ++r) mean += inp[r * F + f];
    mean /= static_cast<double>(B);
    double var = 0;
    for (std::size_t r = 0; r < B; ++r) {
      double c = inp[r * F + f] - mean;
      var += c * c;
    }
    var /= static_cast<double>(B);
    double inv = 1.0 / std::sqrt(var + eps);
    inv_std[f] = static_cast<T>(inv);
    for (std::size_t r = 0; r < B; ++r) {
      double xh = (inp[r * F + f] - mean) * inv;
      xhat[r * F + f] = static_cast<T>(xh);
      out[r * F + f] = static_cast<T>(weight[f] * xh + bias[f]);
    }
    running_mean[f] = static_cast<T>((1 - m) * running_mean[f] + m * mean);
    running_var[f] = static_cast<T>((1 - m) * running_var[f] +
                                    m * var * static_cast<double>(B) / static_cast<double>(B - 1));
  }
}

template <typename T>
void batch_norm_backward(T* dinp, T* dweight, T* dbias, const T* dout, const T* inp, const T* xhat,
                         const T* inv_std, const T* running_mean, const T* weight, std::size_t B,
                         std::size_t F, bool training) {
  for (std::size_t f = 0; f < F; ++f) {
    double sum_dout = 0, sum_dout_xhat = 0;
    for (std::size_t r = 0; r < B; ++r) {
      double g = dout[r * F + f];
      double xh = training ? static_cast<double>(xhat[r * F + f])
                           : (inp[r * F + f] - running_mean[f]) * static_cast<double>(inv_std[f]);
      sum_dout += g;
      sum_dout_xhat += g * xh;
    }
    dweight[f] += static_cast<T>(sum_dout_xhat);
    dbias[f] += static_cast<T>(sum_dout);
    double scale = weight[f] * static_cast<double>(inv_std[f]);
    for (std::size_t r = 0; r < B; ++r) {
      double g = dout[r * F + f];
      dinp[r * F + f] =
          training ? static_cast<T>(scale / static_cast<double>(B) *
                                    (static_cast<double>(B) * g - sum_dout - xhat[r * F + f] * sum_dout_xhat))
                   : static_cast<T>(g * scale);
    }
  }
}

#define MLP_INSTANTIATE(T)                                                                              \
  template void batch_norm_forward<T>(T*, T*, T*, T*, T*, const T*, const T*, const T*, std::size_t,     \
                                      std::size_t, bool, double, double);                                \
  template void batch_norm_backward<T>(T*, T*, T*, const T*, const T*, const T*, const T*, const T*,     \
                                       const T*, std::size_t, std::size_t, bool);
MLP_INSTANTIATE(float)
MLP_INSTANTIATE(double)
#undef MLP_INSTANTIATE

}  // namespace mlp
