// The CLI's data files: format detection, CSV column selection, NPY/IDX labels, label encoding.
#include "data_loading.h"

#include <algorithm>
#include <cstring>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>

#include "mlp/data/csv.h"
#include "mlp/data/error.h"
#include "mlp/data/idx.h"
#include "mlp/data/npy.h"
#include "mlp/error.h"
#include "mlp/format.h"

namespace mlp::cli {
namespace {

enum class Format { csv, npy, idx };

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// By the first bytes: NPY's magic, gzip (IDX files ship gzipped), IDX's two zero bytes; else CSV.
Format detect_format(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw data::DataError(path + ": cannot open: No such file or directory");
  unsigned char head[6] = {0, 0, 0, 0, 0, 0};
  in.read(reinterpret_cast<char*>(head), 6);
  std::streamsize n = in.gcount();
  if (n >= 6 && head[0] == 0x93 && std::equal(head + 1, head + 6, "NUMPY")) return Format::npy;
  if (n >= 2 && head[0] == 0x1f && head[1] == 0x8b) return Format::idx;
  if (ends_with(path, ".npy")) return Format::npy;
  if (ends_with(path, ".idx") || ends_with(path, "-ubyte") || ends_with(path, ".gz")) return Format::idx;
  if (n >= 3 && head[0] == 0 && head[1] == 0 && head[2] >= 0x08 && head[2] <= 0x0E) return Format::idx;
  return Format::csv;
}

data::Array read_array(const std::string& path) {
  return detect_format(path) == Format::npy ? data::read_npy(path) : data::read_idx(path);
}

// The columns of `table` named in order, as an f64 array.
data::Array csv_features(const data::CsvTable& table, const std::vector<std::size_t>& columns) {
  data::check_finite(table, columns);
  std::vector<double> values = data::numeric_matrix<double>(table, columns);
  std::vector<std::byte> bytes(values.size() * sizeof(double));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return data::Array(data::DType::f64, table.rows, columns.size(), std::move(bytes));
}

void csv_targets(const data::CsvTable& table, const std::vector<std::size_t>& columns, RawData& out) {
  out.has_targets = true;
  out.row_lines = table.row_lines;
  out.target_column = columns.empty() ? 0 : columns[0] + 1;
  out.target_cols = columns.size();
  for (std::size_t c : columns) out.target_names.push_back(table.columns[c].name);
  bool any_text = false;
  for (std::size_t c : columns) any_text |= !table.columns[c].numeric;
  if (any_text) {
    if (columns.size() != 1) {
      for (std::size_t c : columns)
        if (!table.columns[c].numeric) data::check_finite(table, {c});  // throws: names the first bad cell
    }
    out.target_text = table.columns[columns[0]].text;
    out.target_not_numeric = data::not_a_number_message(table.path, table.columns[columns[0]].first_non_numeric);
    return;
  }
  out.target_values.resize(table.rows * columns.size());
  for (std::size_t r = 0; r < table.rows; ++r)
    for (std::size_t k = 0; k < columns.size(); ++k) out.target_values[r * columns.size() + k] = table.value(r, columns[k]);
  for (std::size_t c : columns)
    if (!table.columns[c].all_finite() && out.target_not_finite.empty())
      out.target_not_finite = data::not_finite_message(table.path, table.columns[c].first_non_finite);
}

void array_targets(const std::string& labels_path, RawData& out) {
  data::Array labels = read_array(labels_path);
  if (labels.rows() != out.features.rows())
    throw data::DataError(labels_path + ": " + std::to_string(labels.rows()) + " labels for " +
                          std::to_string(out.features.rows()) + " rows of " + out.source);
  out.has_targets = true;
  out.target_cols = labels.cols();
  out.target_values = labels.to_vector<double>();
  for (std::size_t k = 0; k < labels.cols(); ++k) out.target_names.push_back(labels.cols() == 1 ? "label" : "label" + std::to_string(k));
  for (std::size_t i = 0; i < out.target_values.size(); ++i)
    if (!std::isfinite(out.target_values[i])) {
      out.target_not_finite = labels_path + ": row " + std::to_string(i / labels.cols() + 1) + ": " +
                              format_repr(out.target_values[i]) + " is not a finite number";
      break;
    }
}

std::string label_name(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  return format_repr(v);
}

std::string join(const std::vector<std::string>& names, std::size_t limit = 20) {
  std::string s;
  for (std::size_t i = 0; i < names.size() && i < limit; ++i) s += (i ? ", " : "") + names[i];
  if (names.size() > limit) s += ", ...";
  return s;
}

}  // namespace

RawData load_training_data(const DataArgs& args) {
  RawData out;
  out.source = args.path;
  if (detect_format(args.path) == Format::csv) {
    if (!args.labels.empty())
      throw InvalidArgument("--labels is for NPY and IDX data; for CSV name the label column with --target");
    data::CsvTable table = data::read_csv(args.path, data::CsvOptions{args.delimiter});
    std::vector<std::size_t> targets =
        args.target.empty() ? std::vector<std::size_t>{table.cols() - 1} : table.find_columns(args.target);
    std::vector<std::size_t> features;
    for (std::size_t c = 0; c < table.cols(); ++c)
      if (std::find(targets.begin(), targets.end(), c) == targets.end()) features.push_back(c);
    if (features.empty()) throw data::DataError(args.path + ": no feature columns left besides the target");
    for (std::size_t c : features) out.feature_names.push_back(table.columns[c].name);
    out.features = csv_features(table, features);
    csv_targets(table, targets, out);
    return out;
  }
  if (!args.target.empty())
    throw InvalidArgument("--target names CSV columns; for NPY and IDX data give the labels with --labels FILE");
  out.features = read_array(args.path);
  if (args.labels.empty())
    throw InvalidArgument(args.path + ": NPY and IDX data need their labels: --labels FILE");
  array_targets(args.labels, out);
  return out;
}

RawData load_model_data(const DataArgs& args, const io::ModelDescription& model, bool need_targets) {
  RawData out;
  out.source = args.path;
  const std::size_t inputs = model.config.sizes.front();
  if (detect_format(args.path) == Format::csv) {
    data::CsvTable table = data::read_csv(args.path, data::CsvOptions{args.delimiter});
    std::vector<std::size_t> targets;
    if (need_targets) {
      if (!args.target.empty()) {
        targets = table.find_columns(args.target);
      } else {
        for (const std::string& name : model.target_names) {
          try {
            targets.push_back(table.find_column(name));
          } catch (const Error&) {
            throw data::DataError(args.path + ": no label column '" + name +
                                  "' (the model's target); name it with --target");
          }
        }
      }
    }
    std::vector<std::size_t> features;
    if (!model.feature_names.empty()) {
      for (const std::string& name : model.feature_names) {
        try {
          features.push_back(table.find_column(name));
        } catch (const Error&) {
          throw data::DataError(args.path + ": no column '" + name + "', one of the model's features (" +
                                join(model.feature_names) + ")");
        }
      }
    } else {
      for (std::size_t c = 0; c < table.cols(); ++c)
        if (std::find(targets.begin(), targets.end(), c) == targets.end()) features.push_back(c);
    }
    if (features.size() != inputs)
      throw ShapeError(args.path + ": " + std::to_string(features.size()) + " feature columns, the model expects " +
                       std::to_string(inputs));
    for (std::size_t c : features) out.feature_names.push_back(table.columns[c].name);
    out.features = csv_features(table, features);
    if (need_targets) csv_targets(table, targets, out);
    return out;
  }
  if (!args.target.empty())
    throw InvalidArgument("--target names CSV columns; for NPY and IDX data give the labels with --labels FILE");
  out.features = read_array(args.path);
  if (out.features.cols() != inputs)
    throw ShapeError(args.path + ": " + std::to_string(out.features.cols()) + " features per row, the model expects " +
                     std::to_string(inputs));
  if (need_targets) {
    if (args.labels.empty()) throw InvalidArgument(args.path + ": NPY and IDX data need their labels: --labels FILE");
    array_targets(args.labels, out);
  }
  return out;
}

TaskChoice choose_task(const RawData& data, const std::string& requested) {
  if (requested == "classification") {
    if (data.target_cols != 1) throw InvalidArgument("classification needs exactly one label column");
    return {true, "as asked"};
  }
  if (requested == "regression") {
    if (data.text_targets())
      throw InvalidArgument(data.source + ": regression needs numeric targets, but '" + data.target_names[0] +
                            "' holds text");
    return {false, "as asked"};
  }
  if (!requested.empty())
    throw InvalidArgument("unknown task '" + requested + "'; valid: regression, classification");
  if (data.text_targets()) return {true, "the labels are text"};
  if (data.target_cols != 1) return {false, std::to_string(data.target_cols) + " target columns"};
  std::set<double> distinct;
  for (double v : data.target_values) {
    if (!std::isfinite(v) || v != std::floor(v)) return {false, "the targets are not all whole numbers"};
    distinct.insert(v);
    if (distinct.size() > 20) return {false, "the targets take more than 20 distinct values"};
  }
  if (distinct.size() < 2) return {false, "the targets take a single value"};
  return {true, "the labels are whole numbers with " + std::to_string(distinct.size()) + " distinct values"};
}

std::vector<std::string> class_names(const RawData& data) {
  if (data.target_cols != 1)
    throw InvalidArgument(data.source + ": classification takes one label column, got " + std::to_string(data.target_cols));
  if (!data.target_not_finite.empty()) throw data::DataError(data.target_not_finite);
  if (data.text_targets()) {
    std::set<std::string> names(data.target_text.begin(), data.target_text.end());
    return {names.begin(), names.end()};
  }
  std::set<double> values(data.target_values.begin(), data.target_values.end());
  std::vector<std::string> names;
  for (double v : values) {
    if (!std::isfinite(v)) throw data::DataError(data.target_not_finite);
    names.push_back(label_name(v));
  }
  return names;
}

std::vector<double> encode_labels(const RawData& data, const std::vector<std::string>& classes) {
  if (data.target_cols != 1)
    throw InvalidArgument(data.source + ": classification takes one label column, got " + std::to_string(data.target_cols));
  if (!data.target_not_finite.empty()) throw data::DataError(data.target_not_finite);
  std::map<std::string, double> index;
  for (std::size_t i = 0; i < classes.size(); ++i) index[classes[i]] = static_cast<double>(i);
  std::vector<double> out(data.rows());
  for (std::size_t r = 0; r < data.rows(); ++r) {
    std::string name = data.text_targets() ? data.target_text[r] : label_name(data.target_values[r]);
    auto it = index.find(name);
    if (it == index.end())
      throw data::DataError(
          data.source +
          (data.row_lines.size() > r ? ":" + std::to_string(data.row_lines[r]) + ":" + std::to_string(data.target_column)
                                     : ": row " + std::to_string(r + 1)) +
          ": label '" + name + "' is not one of the model's classes (" + join(classes) + ")");
    out[r] = it->second;
  }
  return out;
}

const std::vector<double>& regression_targets(const RawData& data) {
  if (data.text_targets()) throw data::DataError(data.target_not_numeric);
  if (!data.target_not_finite.empty()) throw data::DataError(data.target_not_finite);
  return data.target_values;
}

}  // namespace mlp::cli
