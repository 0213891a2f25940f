// Rows as the network reads them: a frame encoded by a Preprocessor, with targets, scaled per
// batch (PreparedData), and a model run over a frame's rows (run_network). fit, resume, fit_more and
// inference all prepare rows through these.
#pragma once

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "data/array_dataset.h"
#include "mlp/core/error.h"
#include "mlp/data/preprocessor.h"
#include "mlp/data/scaler.h"
#include "mlp/nn/model.h"
#include "mlp/nn/predictor.h"
#include "pipeline/targets.h"

namespace mlp {

// A dataset of preprocessed rows: the encoded features (kept alive here) with their targets,
// scaled per batch.
template <typename T>
struct PreparedData {
  data::Array storage;
  const data::Array* encoded = nullptr;
  // The frame's rows that are in the data when some were dropped; empty when all are (a
  // million-row file need not keep a million indices).
  std::vector<std::size_t> kept;
  PreprocessReport report;
  std::unique_ptr<data::ArrayDataset<T>> raw;
  std::unique_ptr<ScaledDataset<T>> scaled;

  // `width`: the features the network expects (0: whatever the data has).
  PreparedData(const Preprocessor& p, const data::Frame& x, bool drop, std::size_t width = 0) : scaler_(p.scaler) {
    encoded = &p.encode(x, storage, report, kept, drop);
    rows_ = kept.empty() ? x.rows() : kept.size();
    if (width && encoded->cols() != width)
      throw ShapeError(x.source + ": " + std::to_string(encoded->cols()) + " features per row, the model expects " +
                       std::to_string(width));
    set_targets({}, 0, {}, {});
  }

  // What a checkpoint records of the rows, to refuse resuming on other data: their number,
  // width and a CRC-32 of the preprocessed features and targets.
  nlohmann::ordered_json record() const {
    uLong crc = crc32_z(0L, Z_NULL, 0);
    crc = crc32_z(crc, reinterpret_cast<const Bytef*>(encoded->bytes()), encoded->byte_size());
    const Matrix<T>& y = raw->target_matrix();
    crc = crc32_z(crc, reinterpret_cast<const Bytef*>(y.data()), y.size() * sizeof(T));
    char hex[9];
    std::snprintf(hex, sizeof hex, "%08lx", static_cast<unsigned long>(crc));
    return {{"rows", raw->rows()}, {"features", raw->features()}, {"crc32", hex}};
  }

  // The targets: rows x cols values for all of the frame's rows (standardized with offset and
  // scale when given); empty for none.
  void set_targets(const std::vector<double>& targets, std::size_t cols, const std::vector<double>& offset,
                   const std::vector<double>& scale) {
    Matrix<T> y = targets.empty() ? Matrix<T>(rows_, 0) : target_matrix<T>(targets, cols, rows_, kept, offset, scale);
    scaled.reset();
    raw = std::make_unique<data::ArrayDataset<T>>(*encoded, std::move(y));
    scaled = std::make_unique<ScaledDataset<T>>(*raw, scaler_);
  }

  std::size_t rows() const { return rows_; }  // in the data: the frame's, less any dropped

 private:
  const Scaler& scaler_;
  std::size_t rows_ = 0;
};

// The model's raw outputs for every row of x (rows, outputs), through a Predictor.
template <typename T>
Matrix<T> run_network(const Model<T>& model, const Preprocessor& p, const data::Frame& x, PreprocessReport& report) {
  PreparedData<T> rows(p, x, false, model.inputs());
  report = rows.report;
  const ScaledDataset<T>& scaled = *rows.scaled;
  Predictor<T> predictor(model);
  Matrix<T> out(scaled.rows(), predictor.outputs());
  constexpr std::size_t kChunk = 8192;  // a chunk of scaled rows at a time
  Matrix<T> chunk(std::min(kChunk, scaled.rows()), scaled.features()), no_targets(chunk.rows(), 0);
  std::vector<std::size_t> index(chunk.rows());
  for (std::size_t first = 0; first < scaled.rows(); first += kChunk) {
    const std::size_t n = std::min(kChunk, scaled.rows() - first);
    for (std::size_t i = 0; i < n; ++i) index[i] = first + i;
    scaled.gather(index.data(), n, chunk.data(), no_targets.data());
    predictor.predict(chunk.data(), n, out.row(first));
  }
  return out;
}

}  // namespace mlp
