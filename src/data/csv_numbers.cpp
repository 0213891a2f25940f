// The all-numeric CSV reader: pieces of records (split after a line feed) parsed by threads into
// blocks of rows, then copied in order into one matrix, each block freed as it is copied, so the
// peak is about one matrix. A piece stops at the first thing it does not handle and the whole read
// is abandoned. Why a split after a line feed is a record boundary: a piece never accepts a line
// break inside quotes, so when every piece before it succeeded, the line feed ended a record.
#include "data/csv_numbers.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <thread>

#include <sys/mman.h>

#include "data/csv_number.h"

namespace mlp::data {
namespace {

using detail::is_blank;
using detail::Number;
using detail::parse_number;

constexpr std::size_t kMaxPieces = 64;
constexpr std::size_t kBlockBytes = std::size_t{1} << 20;    // rows are collected in blocks of this
constexpr std::size_t kReleaseBytes = std::size_t{2} << 20;  // parsed file pages go back this often

// What a piece learned about one column; lines are the piece's own (0-based) until merged.
struct ColumnStats {
  std::size_t missing = 0;
  CellRef first_missing, first_non_finite;  // line: the piece's line index + 1
  double sum = 0;
  std::size_t counted = 0;
};

// A column's role: where its cells go.
struct Role {
  int feature = -1;  // position among the feature columns, or -1
  int target = -1;   // position among the target columns, or -1
};

// Rows of one piece, in memory mapped for it alone, so that freeing a block gives its memory back
// to the system at once (malloc may keep freed blocks for reuse): the matrix they are copied
// into grows as they go.
template <typename T>
class Block {
 public:
  explicit Block(std::size_t elements) : bytes_(elements * sizeof(T)) {
    void* p = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    data_ = static_cast<T*>(p);
  }
  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;
  ~Block() { ::munmap(data_, bytes_); }
  T* get() const { return data_; }

 private:
  std::size_t bytes_;
  T* data_;
};

template <typename T>
struct Piece {
  const char* begin;
  const char* end;
  bool ok = true;
  std::size_t lines = 0;  // line ends consumed
  std::size_t rows = 0;
  std::vector<std::unique_ptr<Block<T>>> blocks;
  std::vector<double> targets;
  bool regular = true;           // row r on the piece's line r
  std::vector<std::size_t> row_lines;  // when not regular: each row's line index in the piece
  std::vector<ColumnStats> stats;
};

template <typename T>
class PieceParser {
 public:
  PieceParser(const io::FileBytes& file, char delimiter, const std::vector<Role>& roles, std::size_t features,
              std::size_t targets)
      : file_(file), d_(delimiter), roles_(roles), features_(features), targets_(targets),
        block_rows_(std::max<std::size_t>(1, kBlockBytes / std::max<std::size_t>(1, features * sizeof(T)))) {}

  void run(Piece<T>& piece) {
    piece.stats.resize(roles_.size());
    const char* p = piece.begin;
    const char* const end = piece.end;
    const char* released = p;
    T* row = nullptr;
    while (p < end) {
      if (static_cast<std::size_t>(p - released) >= kReleaseBytes) {
        file_.release(static_cast<std::size_t>(released - file_.data()), static_cast<std::size_t>(p - file_.data()));
        released = p;
      }
      // A blank line (only spaces and tabs that are not the delimiter) is skipped.
      const char* q = p;
      while (q < end && is_blank(*q) && *q != d_) ++q;
      if (q == end) {
        p = q;
        break;
      }
      if (*q == '\n' || *q == '\r') {
        p = end_line(q, end, piece);
        continue;
      }
      // A record.
      if (piece.rows % block_rows_ == 0) piece.blocks.push_back(std::make_unique<Block<T>>(block_rows_ * features_));
      row = piece.blocks.back()->get() + (piece.rows % block_rows_) * features_;
      double* target = nullptr;
      if (targets_) {
        piece.targets.resize(piece.targets.size() + targets_);
        target = piece.targets.data() + piece.targets.size() - targets_;
      }
      const std::size_t line = piece.lines;
      for (std::size_t j = 0; j < roles_.size(); ++j) {
        // The field: unquoted up to a delimiter or line end, or quoted within this line.
        const char* f = p;
        while (p < end && *p != d_ && *p != '\n' && *p != '\r' && *p != '"') ++p;
        const char* cell_begin = f;
        const char* cell_end = p;
        if (p < end && *p == '"') {
          if (!std::all_of(f, p, is_blank)) return fail(piece);  // a quote inside a field: text
          cell_begin = ++p;
          while (p < end && *p != '"' && *p != '\n' && *p != '\r') ++p;
          if (p == end || *p != '"' || (p + 1 < end && p[1] == '"')) return fail(piece);
          cell_end = p++;
          while (p < end && is_blank(*p) && *p != d_) ++p;
        }
        const bool last = j + 1 == roles_.size();
        if (last ? (p < end && *p != '\n' && *p != '\r') : (p == end || *p != d_)) return fail(piece);  // field count
        if (!last) ++p;
        const Role role = roles_[j];
        const std::string_view cell(cell_begin, static_cast<std::size_t>(cell_end - cell_begin));
        if (role.feature < 0 && role.target < 0) {  // ignored: only text, not binary data
          for (char c : cell)
            if (c == '\0' || static_cast<unsigned char>(c) >= 0x80) return fail(piece);
          continue;
        }
        double value;
        const Number kind = parse_number(cell, value);
        if (kind == Number::kNotNumber) return fail(piece);
        ColumnStats& s = piece.stats[j];
        if (kind == Number::kMissing) {
          value = std::nan("");
          if (s.missing++ == 0) s.first_missing = {line + 1, j + 1, std::string(cell)};
        } else if (!std::isnan(value)) {
          s.sum += value, ++s.counted;
          if (!std::isfinite(value) && !s.first_non_finite.found()) s.first_non_finite = {line + 1, j + 1, std::string(cell)};
        }
        if (role.feature >= 0) row[role.feature] = static_cast<T>(value);
        if (role.target >= 0) target[role.target] = value;
      }
      if (piece.regular && line != piece.rows) {
        piece.regular = false;
        piece.row_lines.resize(piece.rows);
        for (std::size_t r = 0; r < piece.rows; ++r) piece.row_lines[r] = r;
      }
      if (!piece.regular) piece.row_lines.push_back(line);
      ++piece.rows;
      if (p < end) p = end_line(p, end, piece);
    }
    file_.release(static_cast<std::size_t>(released - file_.data()), static_cast<std::size_t>(p - file_.data()));
  }

 private:
  // p is at '\n' or '\r': past the line end (LF, CRLF or CR).
  static const char* end_line(const char* p, const char* end, Piece<T>& piece) {
    if (*p == '\r' && p + 1 < end && p[1] == '\n') ++p;
    ++piece.lines;
    return p + 1;
  }
  static void fail(Piece<T>& piece) { piece.ok = false; }

  const io::FileBytes& file_;
  const char d_;
  const std::vector<Role>& roles_;
  const std::size_t features_, targets_, block_rows_;
};

// Piece boundaries: just after the first line feed at or after each equal share of [begin, end).
std::vector<const char*> split(const char* begin, const char* end, std::size_t piece_bytes) {
  const std::size_t size = static_cast<std::size_t>(end - begin);
  const std::size_t pieces = std::clamp<std::size_t>(size / std::max<std::size_t>(piece_bytes, 1), 1, kMaxPieces);
  std::vector<const char*> bounds{begin};
  for (std::size_t k = 1; k < pieces; ++k) {
    const char* at = std::max(begin + size / pieces * k, bounds.back());
    const void* lf = std::memchr(at, '\n', static_cast<std::size_t>(end - at));
    bounds.push_back(lf ? static_cast<const char*>(lf) + 1 : end);
  }
  bounds.push_back(end);
  return bounds;
}

// The earlier of two cells in file order (line, then column).
void keep_first(CellRef& first, const CellRef& other) {
  if (other.found() && (!first.found() || other.line < first.line || (other.line == first.line && other.column < first.column)))
    first = other;
}

template <typename T>
std::optional<CsvNumbers> read_as(const io::FileBytes& file, const CsvHead& head, const std::vector<std::size_t>& features,
                                  const std::vector<std::size_t>& targets, std::size_t piece_bytes) {
  std::vector<Role> roles(head.table.cols());
  for (std::size_t k = 0; k < features.size(); ++k) roles[features[k]].feature = static_cast<int>(k);
  for (std::size_t k = 0; k < targets.size(); ++k) roles[targets[k]].target = static_cast<int>(k);
  const std::vector<const char*> bounds = split(file.data() + head.offset, file.data() + file.size(), piece_bytes);
  std::vector<Piece<T>> pieces(bounds.size() - 1);
  for (std::size_t k = 0; k < pieces.size(); ++k) pieces[k].begin = bounds[k], pieces[k].end = bounds[k + 1];

  PieceParser<T> parser(file, head.delimiter, roles, features.size(), targets.size());
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::exception_ptr> errors(pieces.size());  // out of memory, in a thread
  auto work = [&] {
    for (std::size_t k; !failed && (k = next++) < pieces.size();) {
      try {
        parser.run(pieces[k]);
      } catch (...) {
        errors[k] = std::current_exception();
        pieces[k].ok = false;
      }
      if (!pieces[k].ok) failed = true;
    }
  };
  const std::size_t threads = std::min<std::size_t>(pieces.size(), std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::jthread> helpers;
  for (std::size_t t = 1; t < threads; ++t) helpers.emplace_back(work);
  work();
  helpers.clear();  // joins
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
  if (failed) return std::nullopt;

  CsvNumbers out;
  CsvTable& table = out.table;
  table.path = head.table.path;
  table.columns = head.table.columns;
  out.first_line = head.line;
  std::size_t rows = 0;
  bool regular = true;
  for (const Piece<T>& piece : pieces) {
    rows += piece.rows;
    regular &= piece.regular && (&piece == &pieces.back() || piece.rows == piece.lines);
  }
  if (rows == 0) return std::nullopt;  // parse_csv says what is wrong
  table.rows = rows;

  // Rows, column statistics and row lines, piece by piece in file order.
  const std::size_t width = features.size();
  auto storage = std::shared_ptr<T[]>(new T[rows * std::max<std::size_t>(width, 1)]);
  T* dest = storage.get();
  out.targets.reserve(rows * targets.size());
  std::size_t line0 = head.line;  // the first line of the current piece
  for (Piece<T>& piece : pieces) {
    const std::size_t block_rows = std::max<std::size_t>(1, kBlockBytes / std::max<std::size_t>(1, width * sizeof(T)));
    for (std::size_t b = 0; b < piece.blocks.size(); ++b) {
      const std::size_t n = std::min(block_rows, piece.rows - b * block_rows);
      std::memcpy(dest, piece.blocks[b]->get(), n * width * sizeof(T));
      dest += n * width;
      piece.blocks[b].reset();
    }
    out.targets.insert(out.targets.end(), piece.targets.begin(), piece.targets.end());
    std::vector<double>().swap(piece.targets);
    if (!regular)
      for (std::size_t r = 0; r < piece.rows; ++r) table.row_lines.push_back(line0 + (piece.regular ? r : piece.row_lines[r]));
    for (std::size_t j = 0; j < roles.size(); ++j) {
      ColumnStats& s = piece.stats[j];
      CsvColumn& c = table.columns[j];
      for (CellRef* ref : {&s.first_missing, &s.first_non_finite})
        if (ref->found()) ref->line += line0 - 1;
      c.missing += s.missing;
      keep_first(c.first_missing, s.first_missing);
      keep_first(c.first_non_finite, s.first_non_finite);
      c.sum += s.sum;
      c.counted += s.counted;
    }
    line0 += piece.lines;
  }
  out.features = Array::view(dtype_of<T>(), rows, width, storage.get(), std::shared_ptr<const void>(storage, storage.get()));
  return out;
}

}  // namespace

std::optional<CsvNumbers> read_csv_numbers(const io::FileBytes& file, const CsvHead& head,
                                           const std::vector<std::size_t>& features,
                                           const std::vector<std::size_t>& targets, DType dtype,
                                           std::size_t piece_bytes) {
  if (dtype == DType::f64) return read_as<double>(file, head, features, targets, piece_bytes);
  if (dtype != DType::f32) throw InvalidArgument(std::string("read_csv_numbers: float32 or float64, not ") + dtype_name(dtype));
  return read_as<float>(file, head, features, targets, piece_bytes);
}

}  // namespace mlp::data
