// Feature scaling fitted on training data and stored with the model, like scikit-learn's
// StandardScaler and MinMaxScaler: x' = (x - offset) / scale per feature.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "mlp/train/dataset.h"

namespace mlp {

enum class ScaleKind { none, standard, minmax };

// "none", "standard", "minmax"; throws InvalidArgument listing them.
ScaleKind parse_scale(std::string_view name);
std::string scale_name(ScaleKind kind);

struct Scaler {
  ScaleKind kind = ScaleKind::none;
  std::vector<double> offset;  // per feature: the mean (standard) or the minimum (minmax)
  std::vector<double> scale;   // per feature: the standard deviation (ddof 0) or max - min; 1 when 0

  // Fits on every row of `data` (its features only). kind none gives an empty scaler.
  template <typename T>
  static Scaler fit(ScaleKind kind, const Dataset<T>& data);

  bool active() const { return kind != ScaleKind::none; }
  // x (rows, offset.size()) in place. Does nothing when !active().
  template <typename T>
  void transform(T* x, std::size_t rows) const;
};

// Another dataset's rows with a scaler applied to the features; both must outlive it.
template <typename T>
class ScaledDataset : public Dataset<T> {
 public:
  ScaledDataset(const Dataset<T>& data, const Scaler& scaler);
  std::size_t rows() const override { return data_.rows(); }
  std::size_t features() const override { return data_.features(); }
  std::size_t targets() const override { return data_.targets(); }
  void gather(const std::size_t* rows, std::size_t n, T* x, T* y) const override {
    data_.gather(rows, n, x, y);
    scaler_.transform(x, n);
  }

 private:
  const Dataset<T>& data_;
  const Scaler& scaler_;
};

}  // namespace mlp
