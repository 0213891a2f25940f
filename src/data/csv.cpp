// CSV reader: the whole file in memory, a byte-class state machine per record, fast_float (or
// std::from_chars) for numbers (csv_number.h), written to one row-major buffer (the layout
// callers copy feature rows from). A column that turns out to be text late gets its earlier cells
// from one more pass over those rows. The all-numeric case has a faster reader: csv_numbers.cpp.
#include "mlp/data/csv.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "data/csv_number.h"
#include "core/escape.h"
#include "core/file.h"

namespace mlp::data {

using detail::Number;
using detail::is_blank;
using detail::trim;
using detail::equals_ignoring_case;
using detail::parse_number;

namespace {

// What the scanner must stop at. Everything else is part of a field.
enum ByteClass : unsigned char { kPlain, kDelimiter, kNewline, kReturn, kQuote, kNul, kHigh };

// One field of the current record: a view into the input or into the record's scratch (quoted
// fields with doubled quotes), its physical line and whether it was quoted.
struct Field {
  const char* data;  // nullptr: at `offset` in the scratch buffer
  std::size_t offset;
  std::size_t size;
  std::size_t line;
  bool quoted;
};

// Splits the input into records, one at a time.
class Scanner {
 public:
  Scanner(std::string_view text, const std::string& path, char delimiter)
      : begin_(text.data()),
        p_(text.data()),
        end_(text.data() + text.size()),
        path_(path),
        delimiter_(delimiter) {
    classes_.fill(kPlain);
    for (int c = 0x80; c < 0x100; ++c) classes_[c] = kHigh;
    classes_[static_cast<unsigned char>(delimiter)] = kDelimiter;
    classes_['\n'] = kNewline;
    classes_['\r'] = kReturn;
    classes_['"'] = kQuote;
    classes_[0] = kNul;
    if (text.size() >= 3 && std::memcmp(p_, "\xEF\xBB\xBF", 3) == 0) p_ += 3;
  }

  std::size_t offset() const { return static_cast<std::size_t>(p_ - begin_); }
  std::size_t line() const { return line_; }
  void seek(std::size_t offset, std::size_t line) {
    p_ = begin_ + offset;
    line_ = line;
  }

  // Reads the next record into fields(), skipping blank lines; false at the end of the input.
  bool next() {
    if (!skip_blank_lines()) return false;
    fields_.clear();
    scratch_.clear();
    record_line_ = line_;
    for (;;) {
      bool last = field();
      if (last) break;
    }
    return true;
  }

  std::size_t record_line() const { return record_line_; }
  std::size_t size() const { return fields_.size(); }
  std::string_view text(std::size_t i) const {
    const Field& f = fields_[i];
    return {f.data ? f.data : scratch_.data() + f.offset, f.size};
  }
  const Field& field(std::size_t i) const { return fields_[i]; }

 private:
  [[noreturn]] void fail(std::size_t line, std::size_t column, const std::string& what) const {
    throw DataError(path_ + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " +
                    what);
  }
  [[noreturn]] void binary(std::size_t column) const {
    fail(line_, column, "not a text file (binary data)");
  }

  unsigned char cls(const char* p) const { return classes_[static_cast<unsigned char>(*p)]; }

  // The length of the UTF-8 character at p_; a binary-data error (in `column`) if it is not one.
  std::size_t utf8_at_p(std::size_t column) const {
    std::size_t n = utf8_length(reinterpret_cast<const unsigned char*>(p_),
                                reinterpret_cast<const unsigned char*>(end_));
    if (n == 0) binary(column);
    return n;
  }

  // Consumes a line end at p_ (LF, CRLF or CR).
  void end_line() {
    if (*p_ == '\r' && p_ + 1 < end_ && p_[1] == '\n') ++p_;
    ++p_;
    ++line_;
  }

  // Moves past empty and all-blank lines; false when only such lines are left.
  bool skip_blank_lines() {
    while (p_ < end_) {
      const char* q = p_;
      while (q < end_ && is_blank(*q) && *q != delimiter_) ++q;
      if (q == end_) {
        p_ = q;
        return false;
      }
      if (*q != '\n' && *q != '\r') return true;
      p_ = q;
      end_line();
    }
    return false;
  }

  // Reads one field at p_; true when it ended its record (at a line end or the end of input).
  bool field() {
    const char* start = p_;
    const std::size_t line = line_;
    const std::size_t column = fields_.size() + 1;
    for (;;) {
      while (p_ < end_ && cls(p_) == kPlain) ++p_;
      if (p_ == end_) break;
      switch (cls(p_)) {
        case kHigh: p_ += utf8_at_p(column); continue;
        case kNul: binary(column);
        case kQuote:
          if (std::all_of(start, p_, is_blank)) return quoted(line);
          ++p_;  // a quote inside an unquoted field is kept as written
          continue;
        default: break;
      }
      break;
    }
    fields_.push_back({start, 0, static_cast<std::size_t>(p_ - start), line, false});
    return finish_field();
  }

  // After a field: consumes a delimiter (false) or a line end (true); true at the end of input.
  bool finish_field() {
    if (p_ == end_) return true;
    if (cls(p_) == kDelimiter) {
      ++p_;
      return false;
    }
    end_line();
    return true;
  }

  // A quoted field; p_ is at its opening quote.
  bool quoted(std::size_t line) {
    const std::size_t column = fields_.size() + 1;
    ++p_;
    const char* segment = p_;
    bool unescaped = false;  // the field is being built in scratch_ (it had a doubled quote)
    const std::size_t scratch_start = scratch_.size();
    for (;;) {
      while (p_ < end_ && (cls(p_) == kPlain || cls(p_) == kDelimiter)) ++p_;
      if (p_ == end_) fail(line, column, "unterminated quoted field");
      switch (cls(p_)) {
        case kHigh: p_ += utf8_at_p(column); continue;
        case kNul: binary(column);
        case kNewline:
          ++p_;
          ++line_;
          continue;
        case kReturn:
          ++p_;
          if (p_ == end_ || *p_ != '\n') ++line_;  // a lone CR ends a line; CRLF counts at LF
          continue;
        default: break;
      }
      // A quote: doubled, it is one quote of the text; alone, it closes the field.
      if (p_ + 1 < end_ && p_[1] == '"') {
        scratch_.append(segment, p_ + 1);
        unescaped = true;
        p_ += 2;
        segment = p_;
        continue;
      }
      break;
    }
    if (unescaped) {
      scratch_.append(segment, p_);
      fields_.push_back({nullptr, scratch_start, scratch_.size() - scratch_start, line, true});
    } else {
      fields_.push_back({segment, 0, static_cast<std::size_t>(p_ - segment), line, true});
    }
    ++p_;
    while (p_ < end_ && is_blank(*p_) && *p_ != delimiter_) ++p_;
    if (p_ < end_ && cls(p_) != kDelimiter && cls(p_) != kNewline && cls(p_) != kReturn) {
      if (cls(p_) == kNul) binary(column);
      const std::size_t n = cls(p_) == kHigh ? utf8_at_p(column) : 1;
      fail(line_, column,
           "unexpected '" + escape_for_message(std::string_view(p_, n)) + "' after a closing quote");
    }
    return finish_field();
  }

  const char* begin_;
  const char* p_;
  const char* end_;
  const std::string& path_;
  char delimiter_;
  std::array<unsigned char, 256> classes_{};
  std::size_t line_ = 1;
  std::size_t record_line_ = 1;
  std::vector<Field> fields_;
  std::string scratch_;
};

// Newlines + 1: an upper bound on the rows. memchr is vectorized; std::count at -O2 is not.
std::size_t count_lines(std::string_view text) {
  std::size_t n = 1;
  const char* p = text.data();
  const char* end = p + text.size();
  while ((p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p))))) {
    ++n;
    ++p;
  }
  return n;
}

}  // namespace

bool is_missing(std::string_view cell) {
  cell = trim(cell);
  for (std::string_view token : {"", "na", "n/a", "nan", "null", "?"})
    if (equals_ignoring_case(cell, token)) return true;
  return false;
}

char detect_delimiter(std::string_view text) {
  const std::string_view candidates = ",;\t|";
  std::size_t counts[4] = {0, 0, 0, 0};
  bool quoted = false;
  for (char c : text) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '\n' || c == '\r') break;
    std::size_t k = candidates.find(c);
    if (k != std::string_view::npos) ++counts[k];
  }
  std::size_t best = 0;
  for (std::size_t k = 1; k < 4; ++k)
    if (counts[k] > counts[best]) best = k;
  return counts[best] > 0 ? candidates[best] : ',';
}

std::vector<std::string> CsvTable::names() const {
  std::vector<std::string> out;
  out.reserve(columns.size());
  for (const auto& c : columns) out.push_back(c.name);
  return out;
}

std::size_t CsvTable::find_column(std::string_view spec) const {
  std::vector<std::size_t> named;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == spec) named.push_back(i);
  }
  if (named.size() == 1) return named[0];
  if (named.size() > 1) {
    std::string list;
    for (std::size_t i = 0; i < named.size(); ++i) {
      list += (i == 0 ? "" : i + 1 == named.size() ? " and " : ", ") + std::to_string(named[i]);
    }
    throw DataError(path + ": column name '" + escape_for_message(spec) + "' is ambiguous: columns " +
                    list + (named.size() == 2 ? " both" : " all") + " have it; use an index");
  }
  bool digits = !spec.empty() &&
                std::all_of(spec.begin(), spec.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits) {
    std::size_t index = 0;
    auto [ptr, ec] = std::from_chars(spec.data(), spec.data() + spec.size(), index);
    if (ec == std::errc() && index < columns.size()) return index;
    throw DataError(path + ": column index " + escape_for_message(spec) + " out of range; the file has " +
                    std::to_string(columns.size()) + " column" + (columns.size() == 1 ? "" : "s"));
  }
  std::string list;
  const std::size_t shown_names = std::min<std::size_t>(columns.size(), 20);
  for (std::size_t i = 0; i < shown_names; ++i) list += (i ? ", " : "") + escape_for_message(columns[i].name);
  if (shown_names < columns.size()) {
    list += ", ... (" + std::to_string(columns.size()) + " columns)";
  }
  throw DataError(path + ": no column '" + escape_for_message(spec) + "'; columns: " + list);
}

std::vector<std::size_t> CsvTable::find_columns(std::string_view specs) const {
  const std::string all(specs);
  std::vector<std::size_t> out;
  for (;;) {
    std::size_t comma = specs.find(',');
    std::string_view spec = specs.substr(0, comma);
    if (spec.empty()) throw DataError(path + ": empty column name in '" + escape_for_message(all) + "'");
    std::size_t index = find_column(spec);
    if (std::find(out.begin(), out.end(), index) != out.end()) {
      throw DataError(path + ": column '" + escape_for_message(spec) + "' (" + std::to_string(index) +
                      ") is named twice");
    }
    out.push_back(index);
    if (comma == std::string_view::npos) break;
    specs.remove_prefix(comma + 1);
  }
  return out;
}

CsvHead parse_csv_head(std::string_view text, const std::string& path, const CsvOptions& options) {
  const char d = options.delimiter ? options.delimiter : detect_delimiter(text);
  if (d == '"' || d == '\r' || d == '\n' || static_cast<unsigned char>(d) >= 0x80) {
    throw InvalidArgument(
        "CSV delimiter must be a single ASCII character other than a quote or "
        "a line end");
  }
  CsvHead head;
  head.delimiter = d;
  CsvTable& table = head.table;
  table.path = path;
  Scanner scan(text, path, d);
  const std::size_t start = scan.offset();  // past a byte-order mark
  if (!scan.next()) throw DataError(path + ": empty file");
  const std::size_t cols = scan.size();
  table.columns.resize(cols);
  for (std::size_t j = 0; j < cols; ++j) {
    CsvColumn& c = table.columns[j];
    if (options.header) c.name = trim(scan.text(j));
    if (c.name.empty()) c.name = std::to_string(j);
  }
  if (!options.header) scan.seek(start, 1);  // the first record is data
  head.offset = scan.offset();
  head.line = scan.line();
  return head;
}

CsvTable parse_csv(std::string_view text, const std::string& path, const CsvOptions& options) {
  CsvHead head = parse_csv_head(text, path, options);
  CsvTable table = std::move(head.table);
  const std::size_t cols = table.cols();
  Scanner scan(text, path, head.delimiter);
  scan.seek(head.offset, head.line);
  // Room for a row per line saves regrowing (and copying) the values.
  const std::size_t lines = count_lines(text);
  std::vector<double>& values = table.values;
  values.reserve(lines * cols);

  const std::size_t first_offset = head.offset;
  const std::size_t first_line = head.line;
  std::vector<std::size_t> text_from(cols, 0);  // the row a text column turned text at
  std::size_t backfill_rows = 0;
  std::size_t rows = 0;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  while (scan.next()) {
    if (scan.size() != cols) {
      throw DataError(path + ":" + std::to_string(scan.record_line()) + ": " +
                      std::to_string(scan.size()) + " field" + (scan.size() == 1 ? "" : "s") +
                      ", expected " + std::to_string(cols));
    }
    for (std::size_t j = 0; j < cols; ++j) {
      CsvColumn& c = table.columns[j];
      std::string_view cell = scan.text(j);
      double value;
      const Number kind = c.numeric ? parse_number(cell, value) : is_missing(cell) ? Number::kMissing : Number::kNotNumber;
      if (kind == Number::kMissing) {
        values.push_back(nan);
        if (c.missing++ == 0) c.first_missing = {scan.field(j).line, j + 1, std::string(cell)};
        if (!c.numeric) c.text.emplace_back();
        continue;
      }
      if (!c.numeric) {
        values.push_back(nan);
        c.text.emplace_back(trim(cell));
        continue;
      }
      if (kind == Number::kOk) {
        values.push_back(value);
        if (!std::isnan(value)) c.sum += value, ++c.counted;
        if (!std::isfinite(value) && !c.first_non_finite.found()) {
          c.first_non_finite = {scan.field(j).line, j + 1, std::string(cell)};
        }
        continue;
      }
      values.push_back(nan);
      c.numeric = false;
      c.first_non_numeric = {scan.field(j).line, j + 1, std::string(cell)};
      c.first_non_finite = {};
      c.text.resize(rows);  // rows before this one: filled in after the pass
      c.text.emplace_back(trim(cell));
      text_from[j] = rows;
      backfill_rows = std::max(backfill_rows, rows);
    }
    table.row_lines.push_back(scan.record_line());
    ++rows;
  }
  if (rows == 0) throw DataError(path + ": header but no data rows");
  table.rows = rows;
  if (values.capacity() - values.size() > values.size() / 8 + 4096) values.shrink_to_fit();

  // Text columns that began with numbers: their earlier cells, from a second look at those rows.
  if (backfill_rows > 0) {
    scan.seek(first_offset, first_line);
    for (std::size_t r = 0; r < backfill_rows; ++r) {
      scan.next();
      for (std::size_t j = 0; j < cols; ++j) {
        if (r < text_from[j]) {
          std::string_view cell = scan.text(j);
          table.columns[j].text[r] = is_missing(cell) ? std::string_view() : trim(cell);
          values[r * cols + j] = nan;
        }
      }
    }
  }
  return table;
}

CsvTable read_csv(const std::string& path, const CsvOptions& options) {
  return parse_csv(io::read_file<DataError>(path).view(), path, options);
}

std::string not_a_number_message(const std::string& path, const CellRef& cell) {
  return path + ":" + std::to_string(cell.line) + ":" + std::to_string(cell.column) + ": '" +
         escape_for_message(cell.text) + "' is not a number";
}

std::string missing_message(const std::string& path, const CellRef& cell) {
  return path + ":" + std::to_string(cell.line) + ":" + std::to_string(cell.column) + ": missing value" +
         (trim(cell.text).empty() ? std::string() : " '" + escape_for_message(cell.text) + "'");
}

std::string not_finite_message(const std::string& path, const CellRef& cell) {
  return path + ":" + std::to_string(cell.line) + ":" + std::to_string(cell.column) + ": '" +
         escape_for_message(cell.text) + "' is not a finite number";
}

void check_finite(const CsvTable& table, const std::vector<std::size_t>& columns) {
  const CellRef* first = nullptr;
  int kind = 0;  // 0: not a number, 1: missing, 2: not finite
  for (std::size_t j : columns) {
    if (j >= table.cols()) {
      throw ShapeError(table.path + ": column index " + std::to_string(j) +
                       " out of range; the file has " + std::to_string(table.cols()) + " columns");
    }
    const CsvColumn& c = table.columns[j];
    auto earlier = [&](const CellRef& bad) {
      return bad.found() && (!first || bad.line < first->line || (bad.line == first->line && bad.column < first->column));
    };
    for (const CellRef* bad : {&c.first_non_numeric, &c.first_missing, &c.first_non_finite})
      if (earlier(*bad)) {
        first = bad;
        kind = bad == &c.first_non_numeric ? 0 : bad == &c.first_missing ? 1 : 2;
      }
  }
  if (first) {
    throw DataError(kind == 0 ? not_a_number_message(table.path, *first)
                    : kind == 1 ? missing_message(table.path, *first)
                                : not_finite_message(table.path, *first));
  }
}

template <typename T>
std::vector<T> numeric_matrix(const CsvTable& table, const std::vector<std::size_t>& columns) {
  check_finite(table, columns);
  const std::size_t n = columns.size(), cols = table.cols();
  std::vector<T> out(table.rows * n);
  for (std::size_t r = 0; r < table.rows; ++r) {
    const double* row = table.values.data() + r * cols;
    T* dest = out.data() + r * n;
    for (std::size_t k = 0; k < n; ++k) dest[k] = static_cast<T>(row[columns[k]]);
  }
  return out;
}

template std::vector<float> numeric_matrix<float>(const CsvTable&, const std::vector<std::size_t>&);
template std::vector<double> numeric_matrix<double>(const CsvTable&,
                                                    const std::vector<std::size_t>&);

}  // namespace mlp::data
