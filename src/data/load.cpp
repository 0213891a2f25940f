// Data files for models: format detection, CSV column selection, NPY/IDX labels.
#include "mlp/data/load.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <string_view>

#include "data/csv_numbers.h"
#include "data/idx.h"
#include "data/npy.h"
#include "mlp/core/error.h"
#include "core/format.h"
#include "core/file.h"

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

Array read_array(const std::shared_ptr<const io::FileBytes>& file, const std::string& path) {
  return detect_format(file->view(), path) == Format::npy ? read_npy(file, path) : read_idx(file, path);
}

// A table's label and feature columns as the options choose them.
struct Chosen {
  std::vector<std::size_t> targets, features;
};

Chosen choose_columns(const CsvTable& t, const LoadOptions& options) {
  Chosen out;
  const std::string& spec = options.target.empty() ? options.default_target : options.target;
  if (options.read_targets) out.targets = spec.empty() ? std::vector<std::size_t>{t.cols() - 1} : t.find_columns(spec);
  std::vector<std::size_t> ignored;
  for (const std::string& spec : options.ignore) {
    std::size_t c = t.find_column(spec);
    if (std::find(out.targets.begin(), out.targets.end(), c) != out.targets.end())
      throw InvalidArgument("--ignore " + spec + ": that is the label column");
    ignored.push_back(c);
  }
  for (std::size_t c = 0; c < t.cols(); ++c)
    if (std::find(out.targets.begin(), out.targets.end(), c) == out.targets.end() &&
        std::find(ignored.begin(), ignored.end(), c) == ignored.end())
      out.features.push_back(c);
  if (out.features.empty())
    throw DataError(t.path + ": no feature columns left besides the target" +
                    (t.cols() == 1 ? std::string(" (the file parsed to a single column: is the delimiter right? see --delimiter)")
                                   : std::string()));
  return out;
}

// The targets in `columns` of `table`; their values are the table's, or `numbers` (rows x
// columns.size()) for a table read by read_csv_numbers, whose data row r is on line
// `first_line` + r unless table.row_lines says otherwise.
void table_targets(const CsvTable& table, const std::vector<std::size_t>& columns, std::vector<double>* numbers,
                   std::size_t first_line, Targets& out) {
  out.cols = columns.size();
  for (std::size_t c : columns) out.names.push_back(table.columns[c].name);
  for (std::size_t c : columns)
    if (table.columns[c].missing > 0)
      throw DataError(missing_message(table.path, table.columns[c].first_missing) + " (a label must be given)");
  out.places.prefix = table.path + ":";
  out.places.suffix = ":" + std::to_string(columns[0] + 1);
  out.places.numbers = table.row_lines;
  out.places.first = first_line;
  bool any_text = false;
  for (std::size_t c : columns) any_text |= !table.columns[c].numeric;
  if (any_text) {
    if (columns.size() != 1) check_finite(table, columns);  // throws: names the first text cell
    out.text = table.columns[columns[0]].text;
    out.not_numeric = not_a_number_message(table.path, table.columns[columns[0]].first_non_numeric);
    return;
  }
  if (numbers) {
    out.values = std::move(*numbers);
  } else {
    out.values.resize(table.rows * columns.size());
    for (std::size_t r = 0; r < table.rows; ++r)
      for (std::size_t k = 0; k < columns.size(); ++k) out.values[r * columns.size() + k] = table.value(r, columns[k]);
  }
  for (std::size_t c : columns)
    if (table.columns[c].first_non_finite.found() && out.not_finite.empty())
      out.not_finite = not_finite_message(table.path, table.columns[c].first_non_finite);
}

void array_targets(const std::string& labels_path, std::size_t rows, const std::string& source, Targets& out) {
  Array labels = read_array(io::map_file<DataError>(labels_path), labels_path);
  if (labels.rows() != rows)
    throw DataError(labels_path + ": " + std::to_string(labels.rows()) + " labels for " + std::to_string(rows) +
                    " rows of " + source);
  out.source = labels_path;
  out.cols = labels.cols();
  out.values = labels.to_vector<double>();
  for (std::size_t k = 0; k < labels.cols(); ++k) out.names.push_back(labels.cols() == 1 ? "label" : "label" + std::to_string(k));
  out.places.prefix = labels_path + ": row ";
  for (std::size_t i = 0; i < out.values.size(); ++i) {
    const double v = out.values[i];
    if (std::isnan(v)) throw DataError(out.places[i / out.cols] + ": missing label (NaN)");
    if (!std::isfinite(v) && out.not_finite.empty())
      out.not_finite = out.places[i / out.cols] + ": " + format_repr(v) + " is not a finite number";
  }
}

// The all-numeric case of a CSV (read_csv_numbers), when it is one and targets are read.
bool load_numbers(const std::shared_ptr<const io::FileBytes>& file, const std::string& path, const LoadOptions& options,
                  Loaded& out) {
  if (!options.read_targets) return false;
  Chosen chosen;
  std::optional<CsvNumbers> numbers;
  try {
    const CsvHead head = parse_csv_head(file->view(), path, options.csv);
    chosen = choose_columns(head.table, options);
    numbers = read_csv_numbers(*file, head, chosen.features, chosen.targets, options.csv_features);
  } catch (const Error&) {
    return false;  // parse_csv reads the file and fails as it always has (its errors come first)
  }
  if (!numbers) return false;
  Frame& f = out.features;
  f.is_table = true;
  f.table = std::move(numbers->table);
  f.columns = std::move(chosen.features);
  f.array = std::move(numbers->features);
  table_targets(f.table, chosen.targets, &numbers->targets, numbers->first_line, out.targets);
  return true;
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
  const std::shared_ptr<const io::FileBytes> file = io::map_file<DataError>(path);
  if (detect_format(file->view(), path) == Format::csv) {
    if (!options.labels.empty())
      throw InvalidArgument("--labels is for NPY and IDX data; for CSV name the label column with --target");
    if (load_numbers(file, path, options, out)) return out;
    f.is_table = true;
    f.table = parse_csv(file->view(), path, options.csv);
    Chosen chosen = choose_columns(f.table, options);
    f.columns = std::move(chosen.features);
    if (options.read_targets) table_targets(f.table, chosen.targets, nullptr, 0, out.targets);
    return out;
  }
  if (!options.target.empty() && options.read_targets)
    throw InvalidArgument("--target names CSV columns; for NPY and IDX data give the labels with --labels FILE");
  if (!options.ignore.empty()) throw InvalidArgument("--ignore names CSV columns; NPY and IDX data have none");
  f.array = read_array(file, path);
  if (options.read_targets) {
    if (options.labels.empty()) throw InvalidArgument(path + ": NPY and IDX data need their labels: --labels FILE");
    array_targets(options.labels, f.array.rows(), path, out.targets);
  }
  return out;
}

}  // namespace mlp::data
