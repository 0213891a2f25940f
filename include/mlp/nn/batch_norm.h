// Batch normalization over the rows of a batch, as torch.nn.BatchNorm1d on (B, F) inputs:
// each feature is normalized by the batch's statistics in training (which also move the running
// statistics) and by the running statistics in evaluation, then scaled by weight (gamma) and
// shifted by bias (beta). Model applies it between a hidden dense layer and its activation.
#pragma once

#include <cstddef>

namespace mlp {

// inp (B, F) -> out (B, F); weight, bias, running_mean, running_var, inv_std (F); xhat (B, F).
// Training (training = true; B >= 2, else InvalidArgument): with the batch's mean and biased
// variance var of each feature, in double,
//   inv_std = 1 / sqrt(var + eps),  xhat = (inp - mean) * inv_std,  out = weight * xhat + bias,
//   running_mean = (1 - momentum) * running_mean + momentum * mean,
//   running_var  = (1 - momentum) * running_var + momentum * var * B / (B - 1)  (the unbiased variance).
// Overwrites out, xhat, inv_std; updates running_mean and running_var in place.
// Evaluation (training = false): inv_std = 1 / sqrt(running_var + eps) and
//   out = weight * (inp - running_mean) * inv_std + bias.
// Overwrites out and inv_std; reads running_mean and running_var; xhat is not used (may be null).
template <typename T>
void batch_norm_forward(T* out, T* xhat, T* inv_std, T* running_mean, T* running_var, const T* inp,
                        const T* weight, const T* bias, std::size_t B, std::size_t F, bool training,
                        double momentum, double eps);

// Given dout (B, F) = dLoss/dout and what the forward pass of the same mode left (xhat and inv_std;
// evaluation reads inp and running_mean instead of xhat, which may then be null):
//   dweight (F) += sum over rows of dout * xhat   (adds into dweight)
//   dbias (F)   += sum over rows of dout          (adds into dbias)
//   dinp (B, F)  = training:   weight * inv_std / B * (B * dout - sum(dout) - xhat * sum(dout * xhat)),
//                               the gradient through the batch statistics;
//                  evaluation: dout * weight * inv_std   (overwrites dinp)
// The sums are in double. dinp must not overlap dout.
template <typename T>
void batch_norm_backward(T* dinp, T* dweight, T* dbias, const T* dout, const T* inp, const T* xhat,
                         const T* inv_std, const T* running_mean, const T* weight, std::size_t B,
                         std::size_t F, bool training);

}  // namespace mlp
