// CSV reader (RFC 4180): a header row, then one record per row. Each column comes back either
// numeric (doubles) or text (the cells as written), with the place of its first bad cell kept so
// the caller can say exactly which cell stops a column from being used as a feature or a target.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "mlp/core/error.h"

namespace mlp::data {

struct CsvOptions {
  // The field separator: ',', '\t', ';', ... Not '"', '\r', '\n'. '\0' (the default): detected
  // from the first record, the one of ',', ';', '\t' and '|' it holds most of outside quotes
  // (',' when it holds none).
  char delimiter = '\0';
  // Whether the first record names the columns; without a header they are named "0", "1", ...
  bool header = true;
};

// Whether a cell (surrounding spaces and tabs aside) spells a missing value: empty, or one of
// NA, N/A, NaN, null, ? in any letter case.
bool is_missing(std::string_view cell);
// The delimiter read_csv would detect for `text` (see CsvOptions::delimiter).
char detect_delimiter(std::string_view text);

// A cell's place in the file: the physical line its field starts on (1-based, counting the
// header and any newlines inside quoted fields) and its 1-based column (field number), with its
// text as written (unquoted). line == 0 means there is no such cell.
struct CellRef {
  std::size_t line = 0;
  std::size_t column = 0;
  std::string text;

  bool found() const { return line != 0; }
};

// One column. Numeric when every cell is missing (is_missing), true or false (1 and 0, any
// letter case) or a number as Python's float() reads one (surrounding spaces allowed, quoted or
// not; "1", "-2.5", "1e-3", "+3", ".5", "5.", "inf", "-Infinity"; not "1_000" or "0x10"); its
// values are in CsvTable::values, NaN where missing (a value beyond double's range, like 1e999,
// is ±inf; one below, like 1e-999, underflows as float() does).
// Otherwise text: `text` holds every cell unquoted, without surrounding spaces and tabs, and ""
// where missing.
struct CsvColumn {
  std::string name;  // without surrounding spaces and tabs
  bool numeric = true;
  std::vector<std::string> text;  // text columns: one per row; empty for numeric columns
  std::size_t missing = 0;        // how many cells are missing
  CellRef first_missing;          // the first of them
  // Text columns: the first cell that is not a number.
  CellRef first_non_numeric;
  // Numeric columns: the first ±inf, including a number beyond double's range.
  CellRef first_non_finite;
  // Numeric columns: the sum of the values that are not NaN, in file order, and how many there
  // are (their mean is what a model imputes).
  double sum = 0;
  std::size_t counted = 0;

  bool all_finite() const { return numeric && !first_non_finite.found() && missing == 0; }
};

// A whole CSV file. Numbers are kept row-major as doubles, 8 bytes a cell (a 60000 x 785 file
// takes 377 MB) and never as strings; only text columns keep strings.
struct CsvTable {
  std::string path;  // as given to read_csv; the prefix of every message
  std::vector<CsvColumn> columns;
  std::size_t rows = 0;  // data rows, not counting the header
  // rows x cols(), row-major: numeric columns' values, NaN where missing and in the places of
  // text columns.
  std::vector<double> values;
  // The physical line each data row starts on (1-based, the header being line 1), for messages.
  std::vector<std::size_t> row_lines;

  std::size_t cols() const { return columns.size(); }
  double value(std::size_t row, std::size_t column) const { return values[row * cols() + column]; }
  std::vector<std::string> names() const;

  // The 0-based index of the column `spec` names: a header name, or else, when spec is all
  // digits, a 0-based index. A name shared by several columns cannot be looked up by name.
  // Throws DataError: "<path>: no column 'x'; columns: a, b, c" (the list cut after 20 names),
  // "<path>: column index 9 out of range; the file has 4 columns",
  // "<path>: column name 'x' is ambiguous: columns 1 and 3 both have it; use an index".
  std::size_t find_column(std::string_view spec) const;
  // A comma-separated list of specs ("label" or "0,3,price"), each as find_column; a column
  // named twice is an error. Throws DataError as find_column, or for an empty spec.
  std::vector<std::size_t> find_columns(std::string_view specs) const;
};

// Reads the CSV file at `path`, all of it at once.
// Rules: a header row (unless options.header is false); an empty header name becomes its
// 0-based index ("3");
// duplicate names are kept (see find_column). A UTF-8 byte-order mark is skipped; lines end in
// LF, CRLF or CR; a missing final newline is fine; empty lines (and lines of only spaces or tabs)
// are skipped wherever they are. Quoted fields may hold delimiters, newlines and doubled quotes;
// spaces and tabs may surround the quotes.
// Throws DataError, one line each:
//   "<path>: cannot open: No such file or directory" (or another reason)
//   "<path>: empty file"                          no record
//   "<path>: header but no data rows"
//   "<path>:5: 3 fields, expected 4"              a row whose field count differs from the header's
//   "<path>:3:2: unterminated quoted field"       a quote opened at line 3, field 2, never closed
//   "<path>:3:2: unexpected 'x' after a closing quote"
//   "<path>:1:1: not a text file (binary data)"   a NUL byte or invalid UTF-8 in that field
// Throws InvalidArgument for a delimiter that cannot be one.
CsvTable read_csv(const std::string& path, const CsvOptions& options = {});

// As read_csv, from text already in memory; `path` names it in messages.
CsvTable parse_csv(std::string_view text, const std::string& path, const CsvOptions& options = {});

// The first record of a CSV text as parse_csv reads it: the columns and their names (with
// options.header; "0", "1", ... without), no rows; and where the data records start.
struct CsvHead {
  CsvTable table;
  char delimiter = ',';
  std::size_t offset = 0;  // of the first data record in the text
  std::size_t line = 1;    // its line
};
// Throws as parse_csv ("empty file", a malformed header record, a bad delimiter).
CsvHead parse_csv_head(std::string_view text, const std::string& path, const CsvOptions& options = {});

// "<path>:<line>:<col>: '<text>' is not a number". Control characters in the text are escaped
// (\n, \t, \xNN) and a text over 40 characters is cut with "...", so the message stays one line.
std::string not_a_number_message(const std::string& path, const CellRef& cell);
// "<path>:<line>:<col>: '<text>' is not a finite number", the text shown as above.
std::string not_finite_message(const std::string& path, const CellRef& cell);

// "<path>:<line>:<col>: missing value" (the cell as written, when not empty, in quotes).
std::string missing_message(const std::string& path, const CellRef& cell);

// Throws DataError for the first cell, in file order (line, then column), of `columns` that is
// not a number (not_a_number_message), missing (missing_message) or not finite
// (not_finite_message): the check for regression targets. Throws ShapeError for an index >=
// table.cols().
void check_finite(const CsvTable& table, const std::vector<std::size_t>& columns);

// The chosen columns as a row-major rows x columns.size() matrix of T (float or double), after
// check_finite. Throws as check_finite.
template <typename T>
std::vector<T> numeric_matrix(const CsvTable& table, const std::vector<std::size_t>& columns);

}  // namespace mlp::data
