// Fitting and applying feature scalers, accumulating in double.
#include "mlp/data/scaler.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "mlp/core/error.h"
#include "core/names.h"

namespace mlp {

namespace {

constexpr NameEntry<ScaleKind> kScales[] = {
    {"none", ScaleKind::none}, {"standard", ScaleKind::standard}, {"minmax", ScaleKind::minmax}};

}  // namespace

ScaleKind parse_scale(std::string_view name) { return parse_name<ScaleKind>(kScales, name, "scaling"); }

std::string scale_name(ScaleKind kind) { return name_of<ScaleKind>(kScales, kind); }

template <typename T>
Scaler Scaler::fit(ScaleKind kind, const Dataset<T>& data) {
  Scaler s;
  s.kind = kind;
  if (kind == ScaleKind::none) return s;
  const std::size_t F = data.features(), n = data.rows();
  if (n == 0) throw InvalidArgument("scaler: no rows to fit on");
  // Welford's running mean and sum of squared deviations, or the running min and max.
  std::vector<double> mean(F, 0), m2(F, 0), lo(F, std::numeric_limits<double>::infinity()),
      hi(F, -std::numeric_limits<double>::infinity());
  const std::size_t chunk = 1024;
  std::vector<std::size_t> index(std::min(chunk, n));
  Matrix<T> x(index.size(), F), y(index.size(), data.targets());
  std::size_t count = 0;
  for (std::size_t i = 0; i < n; i += chunk) {
    const std::size_t B = std::min(chunk, n - i);
    for (std::size_t r = 0; r < B; ++r) index[r] = i + r;
    data.gather(index.data(), B, x.data(), y.data());
    for (std::size_t r = 0; r < B; ++r) {
      ++count;
      const T* row = x.row(r);
      for (std::size_t f = 0; f < F; ++f) {
        double v = row[f];
        double d = v - mean[f];
        mean[f] += d / static_cast<double>(count);
        m2[f] += d * (v - mean[f]);
        lo[f] = std::min(lo[f], v);
        hi[f] = std::max(hi[f], v);
      }
    }
  }
  s.offset.resize(F);
  s.scale.resize(F);
  for (std::size_t f = 0; f < F; ++f) {
    double sc;
    if (kind == ScaleKind::standard) {
      s.offset[f] = mean[f];
      sc = std::sqrt(m2[f] / static_cast<double>(n));
    } else {
      s.offset[f] = lo[f];
      sc = hi[f] - lo[f];
    }
    // A constant feature gets scale 1, as scikit-learn's scalers do.
    s.scale[f] = sc > 0 && std::isfinite(sc) ? sc : 1.0;
  }
  return s;
}

template <typename T>
void Scaler::transform(T* x, std::size_t rows) const {
  if (!active()) return;
  const std::size_t F = offset.size();
  for (std::size_t r = 0; r < rows; ++r) {
    T* row = x + r * F;
    for (std::size_t f = 0; f < F; ++f) row[f] = static_cast<T>((row[f] - offset[f]) / scale[f]);
  }
}

template <typename T>
ScaledDataset<T>::ScaledDataset(const Dataset<T>& data, const Scaler& scaler) : data_(data), scaler_(scaler) {
  if (scaler.active() && scaler.offset.size() != data.features())
    throw ShapeError("scaler: fitted on " + std::to_string(scaler.offset.size()) + " features, data has " +
                     std::to_string(data.features()));
}

template Scaler Scaler::fit<float>(ScaleKind, const Dataset<float>&);
template Scaler Scaler::fit<double>(ScaleKind, const Dataset<double>&);
template void Scaler::transform<float>(float*, std::size_t) const;
template void Scaler::transform<double>(double*, std::size_t) const;
template class ScaledDataset<float>;
template class ScaledDataset<double>;

}  // namespace mlp
