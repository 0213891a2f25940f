// Helpers for the end-to-end tests of `mlp train/predict/eval/info`: a scratch folder per test,
// data files written byte for byte here (CSV, NPY, IDX plain or gzip — no mlp code involved),
// a CSV reader for the command's output, and the checks every failed run must pass.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/format.h"
#include "run_command.h"

namespace mlp_test {

// A fresh folder in TempDir() named after the running test (or `name`), removed when it goes.
class ScratchDir {
 public:
  ScratchDir() : ScratchDir(current_test_name()) {}
  explicit ScratchDir(const std::string& name) {
    path_ = std::filesystem::path(::testing::TempDir()) / ("mlp_e2e_" + std::to_string(::getpid()) + "_" + name);
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  // The path of `name` inside the folder.
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  std::string path() const { return path_.string(); }

 private:
  static std::string current_test_name() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->test_suite_name()) + "_" + info->name();
    for (char& c : name)
      if (c == '/') c = '_';
    return name;
  }
  std::filesystem::path path_;
};

// A word for the shell, single-quoted.
inline std::string q(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs `mlp ARGS` (the built binary); ARGS is shell text, quote paths with q().
inline CommandResult mlp(const std::string& args) { return run_command(std::string(MLP_BINARY) + " " + args); }

inline void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  ASSERT_TRUE(out.good()) << path;
}

inline bool file_exists(const std::string& path) { return std::filesystem::exists(path); }

// --- numbers as bytes -----------------------------------------------------------------------

template <typename T>
void put_le(std::string& out, T v) {
  unsigned char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  for (std::size_t i = 0; i < sizeof(T); ++i) out += static_cast<char>(b[i]);  // the host is little-endian
}

template <typename T>
void put_be(std::string& out, T v) {
  unsigned char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  for (std::size_t i = sizeof(T); i-- > 0;) out += static_cast<char>(b[i]);
}

template <typename T>
T get_le(const std::string& bytes, std::size_t at) {
  T v;
  std::memcpy(&v, bytes.data() + at, sizeof(T));
  return v;
}

// --- NPY and IDX, written by hand -------------------------------------------------------------

// A version 1.0 .npy file: magic, header length, the dict padded to 64 bytes, then `payload`.
inline std::string npy_bytes(const std::string& descr, const std::vector<std::size_t>& shape, const std::string& payload) {
  std::string dims;
  for (std::size_t d : shape) dims += std::to_string(d) + ", ";
  if (shape.size() > 1) dims.resize(dims.size() - 2);  // (3,) for 1-D, (3, 2) for 2-D
  else if (!dims.empty()) dims.resize(dims.size() - 1);
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  std::size_t total = 10 + dict.size() + 1;
  dict += std::string((64 - total % 64) % 64, ' ') + "\n";
  std::string out = "\x93NUMPY\x01";
  out += '\0';
  put_le(out, static_cast<std::uint16_t>(dict.size()));
  return out + dict + payload;
}

// rows x cols float32 values, row-major.
inline std::string npy_f32(const std::vector<std::vector<double>>& rows) {
  std::string payload;
  for (const auto& r : rows)
    for (double v : r) put_le(payload, static_cast<float>(v));
  return npy_bytes("<f4", {rows.size(), rows.empty() ? 0 : rows[0].size()}, payload);
}
// rows x cols float64 values, row-major.
inline std::string npy_f64(const std::vector<std::vector<double>>& rows) {
  std::string payload;
  for (const auto& r : rows)
    for (double v : r) put_le(payload, v);
  return npy_bytes("<f8", {rows.size(), rows.empty() ? 0 : rows[0].size()}, payload);
}
// A 1-D int64 array.
inline std::string npy_i64(const std::vector<long long>& values) {
  std::string payload;
  for (long long v : values) put_le(payload, static_cast<std::int64_t>(v));
  return npy_bytes("<i8", {values.size()}, payload);
}

// An IDX file: 00 00 type ndim, each dimension big-endian, then `payload` (big-endian values).
inline std::string idx_bytes(unsigned char type, const std::vector<std::uint32_t>& dims, const std::string& payload) {
  std::string out{'\0', '\0', static_cast<char>(type), static_cast<char>(dims.size())};
  for (std::uint32_t d : dims) put_be(out, d);
  return out + payload;
}

inline void write_gzip(const std::string& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr) << path;
  EXPECT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
  EXPECT_EQ(gzclose(f), Z_OK);
}

// --- safetensors, taken apart and put together by hand --------------------------------------------

// A safetensors file's parts: the JSON header and the data after it.
struct SafetensorsParts {
  std::uint64_t header_size = 0;
  nlohmann::json header;
  std::string data;
};

// Splits `bytes`: 8-byte little-endian header size, the JSON header, the data.
inline SafetensorsParts split_safetensors(const std::string& bytes) {
  SafetensorsParts p;
  if (bytes.size() < 8) {
    ADD_FAILURE() << "a safetensors file of " << bytes.size() << " bytes";
    return p;
  }
  for (int i = 7; i >= 0; --i) p.header_size = (p.header_size << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
  if (p.header_size > bytes.size() - 8) {
    ADD_FAILURE() << "header size " << p.header_size << " beyond the file's " << bytes.size() << " bytes";
    return p;
  }
  p.header = nlohmann::json::parse(bytes.substr(8, p.header_size), nullptr, false);
  EXPECT_TRUE(p.header.is_object()) << "the header is not a JSON object";
  p.data = bytes.substr(8 + p.header_size);
  return p;
}

// The bytes of a safetensors file with this header (dumped as is, space-padded to 8) and data.
inline std::string join_safetensors(const nlohmann::json& header, const std::string& data) {
  std::string text = header.dump();
  text += std::string((8 - text.size() % 8) % 8, ' ');
  std::string out;
  put_le(out, static_cast<std::uint64_t>(text.size()));
  return out + text + data;
}

// --- CSV ------------------------------------------------------------------------------------------

// RFC 4180 records (quoted fields with "", commas and newlines); enough for predict's output.
inline std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, any = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') field += '"', ++i;
      else if (c == '"') quoted = false;
      else field += c;
    } else if (c == '"') {
      quoted = any = true;
    } else if (c == ',') {
      row.push_back(field), field.clear(), any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (any || !field.empty()) row.push_back(field);
      if (!row.empty()) rows.push_back(row);
      row.clear(), field.clear(), any = false;
    } else {
      field += c, any = true;
    }
  }
  if (any || !field.empty()) row.push_back(field), rows.push_back(row);
  return rows;
}

inline double to_double(const std::string& s) {
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  EXPECT_TRUE(!s.empty() && end == s.c_str() + s.size()) << "not a number: '" << s << "'";
  return v;
}

// A CSV table of numbers with a header, as text ("a,b,y\n1,2,3\n...").
inline std::string csv_text(const std::vector<std::string>& header, const std::vector<std::vector<double>>& rows) {
  std::string out;
  for (std::size_t i = 0; i < header.size(); ++i) out += (i ? "," : "") + header[i];
  out += "\n";
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < r.size(); ++i) out += (i ? "," : "") + mlp::format_repr(r[i]);
    out += "\n";
  }
  return out;
}

// Deterministic numbers in [-1, 1) (a 64-bit LCG), so that data needs no files and no seed.
class Numbers {
 public:
  explicit Numbers(std::uint64_t seed) : state_(seed * 6364136223846793005ULL + 1442695040888963407ULL) {}
  double next() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state_ >> 11) / 9007199254740992.0 * 2 - 1;
  }

 private:
  std::uint64_t state_;
};

// --- the contract of a failed run -----------------------------------------------------------------

// A failed run: a non-zero status that is not a signal, exactly one line on stderr containing
// every needle, nothing on stdout.
inline void expect_one_line_error(const CommandResult& r, std::initializer_list<std::string> needles,
                                  const std::string& what) {
  EXPECT_NE(r.status, 0) << what << ": succeeded; stderr: " << r.err;
  EXPECT_LT(r.status, 128) << what << ": killed by a signal (" << r.status - 128 << "); stderr: " << r.err;
  EXPECT_EQ(count_lines(r.err), 1) << what << ": stderr is not one line:\n" << r.err;
  for (const std::string& n : needles) EXPECT_NE(r.err.find(n), std::string::npos) << what << ": '" << n << "' not in: " << r.err;
  EXPECT_TRUE(r.out.empty()) << what << ": stdout: " << r.out.substr(0, 200);
}

}  // namespace mlp_test
