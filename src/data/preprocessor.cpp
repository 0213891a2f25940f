// Imputation, one-hot encoding and scaling of a model's input columns.
#include "mlp/data/preprocessor.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>

#include "data/array_dataset.h"
#include "mlp/core/error.h"
#include "core/escape.h"
#include "core/format.h"
#include "core/names.h"

namespace mlp {
namespace {

constexpr NameEntry<MissingPolicy> kMissingPolicies[] = {
    {"impute", MissingPolicy::impute},
    {"drop", MissingPolicy::drop},
    {"error", MissingPolicy::error},
};

// A table's numeric cells: in table.values, or, for a table read by read_csv_numbers, in the
// frame's array (its feature columns only).
class Cells {
 public:
  explicit Cells(const data::Frame& f) : f_(f) {
    if (!f.numbers_in_array()) return;
    place_.assign(f.table.cols(), kUnread);
    for (std::size_t k = 0; k < f.columns.size(); ++k) place_[f.columns[k]] = k;
  }
  bool readable(std::size_t col) const { return place_.empty() || place_[col] != kUnread; }
  double value(std::size_t r, std::size_t col) const {
    return place_.empty() ? f_.table.value(r, col) : f_.array.at(r, place_[col]);
  }

 private:
  static constexpr std::size_t kUnread = static_cast<std::size_t>(-1);
  const data::Frame& f_;
  std::vector<std::size_t> place_;  // each table column's column in the array, or kUnread
};

bool missing_at(const data::CsvColumn& c, const Cells& cells, std::size_t col, std::size_t r) {
  return c.numeric ? std::isnan(cells.value(r, col)) : c.text[r].empty();
}

// A categorical cell's text: as written for a text column; a number (a column that holds only
// numbers in this file) as "3" or "2.5".
std::string category_at(const data::CsvColumn& c, const Cells& cells, std::size_t col, std::size_t r) {
  return c.numeric ? format_label(cells.value(r, col)) : c.text[r];
}

std::string join_names(const std::vector<ColumnEncoding>& columns) {
  std::string s;
  for (std::size_t i = 0; i < columns.size() && i < 20; ++i) s += (i ? ", " : "") + escape_for_message(columns[i].name);
  return columns.size() > 20 ? s + ", ..." : s;
}

void add_count(std::vector<std::pair<std::string, std::size_t>>& counts, const std::string& name, std::size_t n) {
  if (n > 0) counts.emplace_back(name, n);
}

std::string count_line(const char* what, const std::vector<std::pair<std::string, std::size_t>>& counts,
                       std::size_t total) {
  std::string s = std::string(what) + " " + std::to_string(total) + ":";
  for (std::size_t i = 0; i < counts.size(); ++i)
    s += (i ? ", " : " ") + escape_for_message(counts[i].first) + " " + std::to_string(counts[i].second);
  return s;
}

}  // namespace

MissingPolicy parse_missing_policy(std::string_view name) {
  return parse_name<MissingPolicy>(kMissingPolicies, name, "missing-value policy");
}
std::string missing_policy_name(MissingPolicy policy) { return name_of<MissingPolicy>(kMissingPolicies, policy); }

std::size_t PreprocessReport::imputed_cells() const {
  std::size_t n = 0;
  for (const auto& [name, count] : imputed) n += count;
  return n;
}

std::size_t PreprocessReport::unseen_cells() const {
  std::size_t n = 0;
  for (const auto& [name, count] : unseen) n += count;
  return n;
}

std::vector<std::string> PreprocessReport::lines() const {
  std::vector<std::string> out;
  if (dropped_rows > 0) out.push_back("dropped " + std::to_string(dropped_rows) + " rows with missing values");
  if (!imputed.empty()) out.push_back(count_line("imputed missing values,", imputed, imputed_cells()));
  if (!unseen.empty())
    out.push_back(count_line("categories not seen in training (encoded as all zeros),", unseen, unseen_cells()));
  return out;
}

std::size_t Preprocessor::width(const data::Frame& frame) const {
  if (columns.empty()) return frame.is_table ? frame.columns.size() : frame.array.cols();
  std::size_t w = 0;
  for (const ColumnEncoding& c : columns) w += c.width();
  return w;
}

template <typename T>
Preprocessor Preprocessor::fit(const data::Frame& frame, ScaleKind scale, MissingPolicy missing) {
  Preprocessor p;
  p.missing = missing;
  if (frame.is_table) {
    const data::CsvTable& t = frame.table;
    // Columns are found by name when the model reads data: feature names must be unique.
    for (std::size_t i = 0; i < frame.columns.size(); ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (t.columns[frame.columns[i]].name == t.columns[frame.columns[j]].name)
          throw data::DataError(frame.source + ": columns " + std::to_string(frame.columns[j]) + " and " +
                                std::to_string(frame.columns[i]) + " are both named '" +
                                escape_for_message(t.columns[frame.columns[i]].name) +
                                "'; feature columns need distinct names (rename one, or --ignore one by index)");
    for (std::size_t col : frame.columns) {
      const data::CsvColumn& c = t.columns[col];
      if (c.missing == t.rows)
        throw data::DataError(frame.source + ": column '" + escape_for_message(c.name) + "' has no values (drop it with --ignore)");
      if (missing == MissingPolicy::error && c.missing > 0)
        throw data::DataError(data::missing_message(frame.source, c.first_missing) +
                              " (--missing impute or drop to train anyway)");
      ColumnEncoding e;
      e.name = c.name;
      if (c.numeric) {
        e.fill = c.sum / static_cast<double>(c.counted);
      } else {
        std::map<std::string, std::size_t> counts;
        for (const std::string& cell : c.text)
          if (!cell.empty()) ++counts[cell];
        std::size_t best = 0;
        for (const auto& [name, count] : counts) {
          e.categories.push_back(name);
          if (count > best) best = count, e.fill_category = name;  // ties: the first, the smallest
        }
      }
      p.columns.push_back(std::move(e));
    }
  }
  data::Array storage;
  PreprocessReport report;
  std::vector<std::size_t> kept;
  const data::Array& encoded = p.encode(frame, storage, report, kept, missing == MissingPolicy::drop);
  data::ArrayDataset<T> rows(encoded, Matrix<T>(encoded.rows(), 0));
  p.scaler = Scaler::fit(scale, rows);
  if (p.scaler.active()) {  // one-hot columns stay 0 and 1
    std::size_t k = 0;
    for (const ColumnEncoding& c : p.columns) {
      if (c.categorical())
        for (std::size_t j = 0; j < c.width(); ++j) p.scaler.offset[k + j] = 0, p.scaler.scale[k + j] = 1;
      k += c.width();
    }
  }
  return p;
}

template Preprocessor Preprocessor::fit<float>(const data::Frame&, ScaleKind, MissingPolicy);
template Preprocessor Preprocessor::fit<double>(const data::Frame&, ScaleKind, MissingPolicy);

namespace {

// The table column of each of the model's columns, by name: among the frame's feature columns
// first (a training frame leaves ignored columns out), then anywhere in the table; each must be
// among the columns read.
std::vector<std::size_t> model_columns(const data::Frame& frame, const std::vector<ColumnEncoding>& columns,
                                       const Cells& cells) {
  const data::CsvTable& t = frame.table;
  std::vector<std::size_t> where;
  for (const ColumnEncoding& e : columns) {
    std::vector<std::size_t> among;
    for (std::size_t c : frame.columns)
      if (t.columns[c].name == e.name) among.push_back(c);
    if (among.size() == 1) {
      where.push_back(among[0]);
      continue;
    }
    const auto named = [&](const data::CsvColumn& c) { return c.name == e.name; };
    if (std::none_of(t.columns.begin(), t.columns.end(), named))
      throw data::DataError(frame.source + ": no column '" + escape_for_message(e.name) + "', one of the model's features (" +
                            join_names(columns) + ")");
    where.push_back(t.find_column(e.name));  // throws for a name two columns share
  }
  for (std::size_t col : where)
    if (!cells.readable(col))
      throw data::DataError(frame.source + ": column '" + escape_for_message(t.columns[col].name) +
                            "', one of the model's features, is not among the columns read (--ignore)");
  return where;
}

// Each model column's cells as the model saw them in training: no missing cell where the policy
// is error, numbers where it held numbers, all finite. Returns whether the frame's own array is
// already the encoding (every column numeric, read as numbers in the model's order, complete).
bool check_cells(const data::Frame& frame, const std::vector<ColumnEncoding>& columns, MissingPolicy missing,
                 const std::vector<std::size_t>& where) {
  bool as_read = frame.numbers_in_array() && where == frame.columns;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const ColumnEncoding& e = columns[i];
    const data::CsvColumn& c = frame.table.columns[where[i]];
    if (c.missing > 0 && missing == MissingPolicy::error)
      throw data::DataError(data::missing_message(frame.source, c.first_missing) + " (this model imputes no missing values)");
    if (!e.categorical() && !c.numeric)
      throw data::DataError(data::not_a_number_message(frame.source, c.first_non_numeric) + " (column '" + escape_for_message(e.name) +
                            "' held numbers in training)");
    if (!e.categorical() && c.first_non_finite.found())
      throw data::DataError(data::not_finite_message(frame.source, c.first_non_finite));
    as_read &= !e.categorical() && c.missing == 0;
  }
  return as_read;
}

}  // namespace

const data::Array& Preprocessor::encode(const data::Frame& frame, data::Array& storage, PreprocessReport& report,
                                        std::vector<std::size_t>& kept, bool drop) const {
  kept.clear();
  if (!frame.is_table) return frame.array;
  const data::CsvTable& t = frame.table;
  if (columns.empty()) {  // a model without named columns: the frame's, as numbers
    data::check_finite(t, frame.columns);
    if (frame.numbers_in_array()) return frame.array;
    std::vector<double> values = data::numeric_matrix<double>(t, frame.columns);
    storage = data::Array(data::DType::f64, t.rows, frame.columns.size());
    std::memcpy(storage.bytes(), values.data(), values.size() * sizeof(double));
    return storage;
  }
  const Cells cells(frame);
  const std::vector<std::size_t> where = model_columns(frame, columns, cells);
  for (std::size_t r = 0; r < t.rows && drop; ++r) {
    bool complete = true;
    for (std::size_t i = 0; i < columns.size(); ++i) complete &= !missing_at(t.columns[where[i]], cells, where[i], r);
    if (complete) kept.push_back(r);
  }
  if (drop && kept.empty()) throw data::DataError(frame.source + ": every row has a missing value; nothing left to train on");
  if (kept.size() == t.rows) kept.clear();  // none dropped
  const std::size_t rows = drop && !kept.empty() ? kept.size() : t.rows;
  report.dropped_rows = t.rows - rows;

  if (check_cells(frame, columns, missing, where)) return frame.array;  // the frame's array is the encoding

  const std::size_t w = width(frame);
  storage = data::Array(data::DType::f64, rows, w);
  double* out = storage.values<double>().data();
  std::size_t offset = 0;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const ColumnEncoding& e = columns[i];
    const data::CsvColumn& c = t.columns[where[i]];
    std::size_t imputed = 0, unseen = 0;
    for (std::size_t k = 0; k < rows; ++k) {
      const std::size_t r = kept.empty() ? k : kept[k];
      double* row = out + k * w + offset;
      const bool gap = missing_at(c, cells, where[i], r);
      imputed += gap;
      if (!e.categorical()) {
        row[0] = gap ? e.fill : cells.value(r, where[i]);
        continue;
      }
      const std::string name = gap ? e.fill_category : category_at(c, cells, where[i], r);
      auto it = std::lower_bound(e.categories.begin(), e.categories.end(), name);
      for (std::size_t j = 0; j < e.width(); ++j) row[j] = 0;
      if (it != e.categories.end() && *it == name)
        row[it - e.categories.begin()] = 1;
      else
        ++unseen;
    }
    add_count(report.imputed, e.name, imputed);
    add_count(report.unseen, e.name, unseen);
    offset += e.width();
  }
  return storage;
}

}  // namespace mlp
