// Frames and Targets from memory: the same structures the file loaders fill, with places in
// messages given as rows and columns instead of lines.
#include "mlp/data/memory.h"

#include <cmath>

#include "mlp/core/error.h"
#include "core/escape.h"
#include "core/format.h"

namespace mlp::data {
namespace {

CellRef cell(std::size_t row, std::size_t column, std::string text) { return CellRef{row + 1, column + 1, std::move(text)}; }

RowPlaces row_places(const std::string& source) {
  RowPlaces places;
  places.prefix = source + ": row ";
  return places;
}

}  // namespace

Frame array_frame(Array array, std::string source) {
  Frame f;
  f.source = std::move(source);
  f.array = std::move(array);
  return f;
}

Frame table_frame(std::vector<Column> columns, std::string source) {
  if (columns.empty()) throw DataError(source + ": no columns");
  const std::size_t rows = columns[0].numeric ? columns[0].numbers.size() : columns[0].text.size();
  if (rows == 0) throw DataError(source + ": no rows");
  Frame f;
  f.source = source;
  f.is_table = true;
  CsvTable& t = f.table;
  t.path = std::move(source);
  t.rows = rows;
  t.values.assign(rows * columns.size(), std::nan(""));
  for (std::size_t r = 0; r < rows; ++r) t.row_lines.push_back(r + 1);
  for (std::size_t c = 0; c < columns.size(); ++c) {
    Column& in = columns[c];
    const std::size_t n = in.numeric ? in.numbers.size() : in.text.size();
    if (n != rows)
      throw ShapeError(t.path + ": column '" + in.name + "' has " + std::to_string(n) + " rows, column '" +
                       columns[0].name + "' " + std::to_string(rows));
    CsvColumn out;
    out.name = in.name;
    out.numeric = in.numeric;
    for (std::size_t r = 0; r < rows; ++r) {
      if (in.numeric) {
        const double v = in.numbers[r];
        t.values[r * columns.size() + c] = v;
        if (std::isnan(v)) {
          if (out.missing++ == 0) out.first_missing = cell(r, c, "");
        } else {
          out.sum += v, ++out.counted;
          if (!std::isfinite(v) && !out.first_non_finite.found()) out.first_non_finite = cell(r, c, format_repr(v));
        }
      } else if (in.text[r].empty()) {
        if (out.missing++ == 0) out.first_missing = cell(r, c, "");
      } else if (!out.first_non_numeric.found()) {
        out.first_non_numeric = cell(r, c, in.text[r]);
      }
    }
    if (!in.numeric) out.text = std::move(in.text);
    t.columns.push_back(std::move(out));
    f.columns.push_back(c);
  }
  return f;
}

Targets number_targets(std::vector<double> values, std::size_t cols, std::string source) {
  if (cols == 0 || values.size() % cols != 0)
    throw ShapeError(source + ": " + std::to_string(values.size()) + " target values do not fill rows of " +
                     std::to_string(cols) + " columns");
  Targets y;
  y.source = source;
  y.cols = cols;
  for (std::size_t k = 0; k < cols; ++k) y.names.push_back(cols == 1 ? source : source + std::to_string(k));
  y.places = row_places(source);
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(values[i])) throw DataError(y.places[i / cols] + ": missing label (NaN)");
    if (!std::isfinite(values[i]) && y.not_finite.empty())
      y.not_finite = y.places[i / cols] + ": " + format_repr(values[i]) + " is not a finite number";
  }
  y.values = std::move(values);
  return y;
}

Targets text_targets(std::vector<std::string> labels, std::string source) {
  Targets y;
  y.source = source;
  y.cols = 1;
  y.names = {source};
  y.places = row_places(source);
  for (std::size_t r = 0; r < labels.size(); ++r)
    if (labels[r].empty()) throw DataError(y.places[r] + ": missing label (an empty text)");
  if (!labels.empty()) y.not_numeric = y.places[0] + ": '" + escape_for_message(labels[0]) + "' is not a number";
  y.text = std::move(labels);
  return y;
}

}  // namespace mlp::data
