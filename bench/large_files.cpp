// Large data files (scripts/bench_large_files.sh, docs/benchmarks.md):
//   large_files gen PATH ROWS FEATURES   writes a CSV of ROWS rows: FEATURES normal floats (6 significant digits) and a
//                                        0/1 label (seeded)
//   large_files parse PATH               times data::load of a CSV (best of 3), in MB/s
//   large_files numbers PATH             times the number parsers on the file's cells, side by side:
//                                        std::from_chars and, when its header is installed,
//                                        fast_float::from_chars (Debian's libfast-float-dev)
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#if __has_include(<fast_float/fast_float.h>)
#include <fast_float/fast_float.h>
#define HAVE_FAST_FLOAT 1
#endif

#include "mlp/data/load.h"
#include "core/file.h"

namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

int gen(const char* path, std::size_t rows, std::size_t features) {
  std::FILE* f = std::fopen(path, "wb");
  if (!f) return std::perror(path), 1;
  std::string line;
  for (std::size_t j = 0; j < features; ++j) line += "f" + std::to_string(j) + ",";
  line += "label\n";
  std::fwrite(line.data(), 1, line.size(), f);
  std::mt19937_64 rng(42);
  std::normal_distribution<float> normal;
  char buf[32];
  for (std::size_t r = 0; r < rows; ++r) {
    line.clear();
    float sum = 0;
    for (std::size_t j = 0; j < features; ++j) {
      const float v = normal(rng);
      sum += (j % 3 == 0 ? v : -0.5f * v);
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 6);
      line.append(buf, end);
      line += ',';
    }
    line += sum > 0 ? "1\n" : "0\n";
    std::fwrite(line.data(), 1, line.size(), f);
  }
  return std::fclose(f) == 0 ? 0 : 1;
}

// This process's resident memory now, from /proc/self/status: "RssAnon ... RssFile ...".
std::string resident() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return "?";
  std::string out;
  char line[256];
  while (std::fgets(line, sizeof line, f))
    if (std::strncmp(line, "RssAnon", 7) == 0 || std::strncmp(line, "RssFile", 7) == 0) {
      line[std::strcspn(line, "\n")] = 0;
      out += (out.empty() ? "" : ", ") + std::string(line);
    }
  std::fclose(f);
  return out;
}

int parse(const std::string& path) {
  double best = 1e300, size = 0;
  for (int rep = 0; rep < 3; ++rep) {
    const auto t = std::chrono::steady_clock::now();
    mlp::data::Loaded in = mlp::data::load(path, {});
    best = std::min(best, seconds_since(t));
    size = static_cast<double>(mlp::io::map_file(path)->size());
    if (rep == 0)
      std::printf("%zu rows x %zu features (%s); resident after reading: %s\n", in.features.rows(),
                  in.features.columns.size(), in.features.numbers_in_array() ? "all-numeric reader" : "general reader",
                  resident().c_str());
  }
  std::printf("parse: %.0f MB in %.3f s: %.0f MB/s\n", size / 1e6, best, size / 1e6 / best);
  return 0;
}

// Every comma- or newline-separated cell of the file, parsed by `parse_one`; returns seconds.
template <typename F>
double time_cells(std::string_view text, F parse_one, double& checksum) {
  const auto t = std::chrono::steady_clock::now();
  const char* p = text.data();
  const char* end = p + text.size();
  p = static_cast<const char*>(std::memchr(p, '\n', text.size())) + 1;  // past the header
  double sum = 0;
  while (p < end) {
    const char* q = p;
    while (q < end && *q != ',' && *q != '\n') ++q;
    double v = 0;
    parse_one(p, q, v);
    sum += v;
    p = q + 1;
  }
  checksum = sum;
  return seconds_since(t);
}

int numbers(const std::string& path) {
  const auto file = mlp::io::map_file(path);
  const std::string_view text = file->view();
  const double mb = static_cast<double>(text.size()) / 1e6;
  for (int rep = 0; rep < 3; ++rep) {
    double sum_std = 0;
    const double s = time_cells(text, [](const char* b, const char* e, double& v) { std::from_chars(b, e, v); }, sum_std);
    std::printf("std::from_chars:         %.0f MB/s", mb / s);
#ifdef HAVE_FAST_FLOAT
    double sum_ff = 0;
    const double f = time_cells(text, [](const char* b, const char* e, double& v) { fast_float::from_chars(b, e, v); }, sum_ff);
    std::printf("   fast_float::from_chars: %.0f MB/s   (same sums: %s)", mb / f, sum_std == sum_ff ? "yes" : "NO");
#else
    std::printf("   fast_float: not installed (libfast-float-dev)");
#endif
    std::printf("\n");
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "gen" && argc == 5) return gen(argv[2], std::stoul(argv[3]), std::stoul(argv[4]));
    if (mode == "parse" && argc == 3) return parse(argv[2]);
    if (mode == "numbers" && argc == 3) return numbers(argv[2]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "large_files: %s\n", e.what());
    return 1;
  }
  std::fprintf(stderr, "usage: large_files gen PATH ROWS FEATURES | parse PATH | numbers PATH\n");
  return 2;
}
