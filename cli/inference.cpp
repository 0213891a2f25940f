// Inference for predict and eval: the stored tensors' dtype, scaling, and the outputs turned into
// target units or class probabilities.
#include "inference.h"

#include <algorithm>
#include <cmath>

#include "array_dataset.h"
#include "mlp/metrics.h"
#include "mlp/predictor.h"
#include "mlp/scaler.h"
#include "mlp/trainer.h"

namespace mlp::cli {
namespace {

template <typename T>
Outputs run(const std::string& path, const io::ModelDescription& d, const RawData& data) {
  io::LoadedModel<T> loaded = io::load_model<T>(path);
  ArrayDataset<T> raw(data.features, Matrix<T>(data.rows(), 0));
  ScaledDataset<T> scaled(raw, loaded.description.scaler);
  // Through a Predictor (weights packed once for the kernels), a chunk of scaled rows at a time.
  Predictor<T> predictor(loaded.model);
  if (scaled.features() != predictor.inputs())
    throw ShapeError("predict: the model expects " + std::to_string(predictor.inputs()) + " features, the data has " +
                     std::to_string(scaled.features()));
  Matrix<T> out(scaled.rows(), predictor.outputs());
  constexpr std::size_t kChunk = 8192;
  Matrix<T> x(std::min(kChunk, scaled.rows()), scaled.features()), no_targets(x.rows(), 0);
  std::vector<std::size_t> rows(x.rows());
  for (std::size_t first = 0; first < scaled.rows(); first += kChunk) {
    const std::size_t n = std::min(kChunk, scaled.rows() - first);
    for (std::size_t i = 0; i < n; ++i) rows[i] = first + i;
    scaled.gather(rows.data(), n, x.data(), no_targets.data());
    predictor.predict(x.data(), n, out.row(first));
  }
  Outputs o;
  o.rows = out.rows();
  const std::size_t k = out.cols();
  std::vector<double> v(out.data(), out.data() + out.size());
  if (!d.classification) {
    for (std::size_t i = 0; i < v.size(); ++i)
      if (!d.target_offset.empty()) v[i] = v[i] * d.target_scale[i % k] + d.target_offset[i % k];
    o.values = std::move(v);
    o.cols = k;
    return o;
  }
  // Class probabilities from the outputs, as the loss reads them.
  const std::size_t classes = d.class_names.size();
  o.cols = classes;
  o.values.resize(o.rows * classes);
  for (std::size_t r = 0; r < o.rows; ++r) {
    const double* row = v.data() + r * k;
    double* p = o.values.data() + r * classes;
    switch (d.loss.kind) {
      case LossKind::bce_with_logits:
      case LossKind::bce: {
        double q = d.loss.kind == LossKind::bce ? row[0] : 1 / (1 + std::exp(-row[0]));
        p[0] = 1 - q;
        p[1] = q;
        break;
      }
      case LossKind::nll:
        for (std::size_t c = 0; c < classes; ++c) p[c] = std::exp(row[c]);
        break;
      default: {  // cross_entropy: softmax of the logits
        double m = row[0];
        for (std::size_t c = 1; c < classes; ++c) m = std::max(m, row[c]);
        double s = 0;
        for (std::size_t c = 0; c < classes; ++c) s += p[c] = std::exp(row[c] - m);
        for (std::size_t c = 0; c < classes; ++c) p[c] /= s;
      }
    }
  }
  o.predicted = predicted_classes(o.values.data(), o.rows, classes);
  return o;
}

}  // namespace

Outputs run_model(const std::string& path, const io::ModelDescription& d, const RawData& data) {
  // In the precision the weights were stored in: F64 tensors run as double, anything else as float.
  return d.weight_dtype == "F64" ? run<double>(path, d, data) : run<float>(path, d, data);
}

}  // namespace mlp::cli
