// Data files for models: format detection, CSV column selection, NPY/IDX labels.
#include "mlp/data/load.h"

#include <algorithm>
#include <cmath>
#include <string_view>

#include "mlp/data/idx.h"
#include "mlp/data/npy.h"
#include "mlp/error.h"
#include "mlp/format.h"
#include "mlp/io/file.h"

namespace mlp::data {
namespace {

enum class Format { csv, npy, idx };

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// By the first bytes: NPY's magic, gzip (IDX files ship gzipped), IDX's two zero bytes; else CSV.
Format detect_format(std::string_view bytes, const std::string& path) {
  const auto* head = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  if (n >= 6 && head[0] == 0x93 && bytes.substr(1, 5) == "NUMPY") return Format::npy;
  if (n >= 2 && head[0] == 0x1f && head[1] == 0x8b) return Format::idx;
  if (ends_with(path, ".npy")) return Format::npy;
  if (ends_with(path, ".idx") || ends_with(path, "-ubyte") || ends_with(path, ".gz")) return Format::idx;
  if (n >= 3 && head[0] == 0 && head[1] == 0 && head[2] >= 0x08 && head[2] <= 0x0E) return Format::idx;
  return Format::csv;
}

Array parse_array(std::string_view bytes, const std::string& path) {
  return detect_format(bytes, path) == Format::npy ? parse_npy(bytes, path) : parse_idx(bytes, path);
}

void table_targets(const CsvTable& table, const std::vector<std::size_t>& columns, Targets& out) {
  out.cols = columns.size();
  for (std::size_t c : columns) out.names.push_back(table.columns[c].name);
  for (std::size_t c : columns)
    if (table.columns[c].missing > 0)
      throw DataError(missing_message(table.path, table.columns[c].first_missing) + " (a label must be given)");
  out.places.reserve(table.rows);
  for (std::size_t r = 0; r < table.rows; ++r)
    out.places.push_back(table.path + ":" + std::to_string(table.row_lines[r]) + ":" + std::to_string(columns[0] + 1));
  bool any_text = false;
  for (std::size_t c : columns) any_text |= !table.columns[c].numeric;
  if (any_text) {
    if (columns.size() != 1) check_finite(table, columns);  // throws: names the first text cell
    out.text = table.columns[columns[0]].text;
    out.not_numeric = not_a_number_message(table.path, table.columns[columns[0]].first_non_numeric);
    return;
  }
  out.values.resize(table.rows * columns.size());
  for (std::size_t r = 0; r < table.rows; ++r)
    for (std::size_t k = 0; k < columns.size(); ++k) out.values[r * columns.size() + k] = table.value(r, columns[k]);
  for (std::size_t c : columns)
    if (table.columns[c].first_non_finite.found() && out.not_finite.empty())
      out.not_finite = not_finite_message(table.path, table.columns[c].first_non_finite);
}

void array_targets(const std::string& labels_path, std::size_t rows, const std::string& source, Targets& out) {
  Array labels = parse_array(io::read_file<DataError>(labels_path).view(), labels_path);
  if (labels.rows() != rows)
    throw DataError(labels_path + ": " + std::to_string(labels.rows()) + " labels for " + std::to_string(rows) +
                    " rows of " + source);
  out.source = labels_path;
  out.cols = labels.cols();
  out.values = labels.to_vector<double>();
  for (std::size_t k = 0; k < labels.cols(); ++k) out.names.push_back(labels.cols() == 1 ? "label" : "label" + std::to_string(k));
  out.places.reserve(rows);
  for (std::size_t r = 0; r < rows; ++r) out.places.push_back(labels_path + ": row " + std::to_string(r + 1));
  for (std::size_t i = 0; i < out.values.size(); ++i) {
    const double v = out.values[i];
    if (std::isnan(v)) throw DataError(out.places[i / out.cols] + ": missing label (NaN)");
    if (!std::isfinite(v) && out.not_finite.empty())
      out.not_finite = out.places[i / out.cols] + ": " + format_repr(v) + " is not a finite number";
  }
}

}  // namespace

std::vector<std::string> Frame::names() const {
  std::vector<std::string> out;
  if (is_table)
    for (std::size_t c : columns) out.push_back(table.columns[c].name);
  return out;
}

Loaded load(const std::string& path, const LoadOptions& options) {
  Loaded out;
  Frame& f = out.features;
  f.source = path;
  out.targets.source = path;
  const io::FileBytes file = io::read_file<DataError>(path);
  if (detect_format(file.view(), path) == Format::csv) {
    if (!options.labels.empty())
      throw InvalidArgument("--labels is for NPY and IDX data; for CSV name the label column with --target");
    f.is_table = true;
    f.table = parse_csv(file.view(), path, options.csv);
    const CsvTable& t = f.table;
    std::vector<std::size_t> targets;
    const std::string& spec = options.target.empty() ? options.default_target : options.target;
    if (options.read_targets) targets = spec.empty() ? std::vector<std::size_t>{t.cols() - 1} : t.find_columns(spec);
    std::vector<std::size_t> ignored;
    for (const std::string& spec : options.ignore) {
      std::size_t c = t.find_column(spec);
      if (std::find(targets.begin(), targets.end(), c) != targets.end())
        throw InvalidArgument("--ignore " + spec + ": that is the label column");
      ignored.push_back(c);
    }
    for (std::size_t c = 0; c < t.cols(); ++c)
      if (std::find(targets.begin(), targets.end(), c) == targets.end() &&
          std::find(ignored.begin(), ignored.end(), c) == ignored.end())
        f.columns.push_back(c);
    if (f.columns.empty())
      throw DataError(path + ": no feature columns left besides the target" +
                      (t.cols() == 1 ? std::string(" (the file parsed to a single column: is the delimiter right? see --delimiter)")
                                     : std::string()));
    if (options.read_targets) table_targets(t, targets, out.targets);
    return out;
  }
  if (!options.target.empty() && options.read_targets)
    throw InvalidArgument("--target names CSV columns; for NPY and IDX data give the labels with --labels FILE");
  if (!options.ignore.empty()) throw InvalidArgument("--ignore names CSV columns; NPY and IDX data have none");
  f.array = parse_array(file.view(), path);
  if (options.read_targets) {
    if (options.labels.empty()) throw InvalidArgument(path + ": NPY and IDX data need their labels: --labels FILE");
    array_targets(options.labels, f.array.rows(), path, out.targets);
  }
  return out;
}

}  // namespace mlp::data
