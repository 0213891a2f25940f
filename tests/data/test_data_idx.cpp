// mlp::data::read_idx on small IDX files the tests write themselves, plain and gzipped (zlib's
// gzwrite): element types, flattening, label files, and broken headers, sizes and gzip streams.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "data/idx.h"
#include "temp_files.h"

namespace {

using mlp::data::Array;
using mlp::data::DataError;
using mlp::data::DType;

using mlp_test::slurp;
using mlp_test::temp_path;


std::string write_plain(const std::string& name, const std::string& content) {
  std::string path = temp_path(name);
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

std::string write_gz(const std::string& name, const std::string& content) {
  std::string path = temp_path(name);
  gzFile f = gzopen(path.c_str(), "wb");
  EXPECT_NE(f, nullptr);
  EXPECT_EQ(gzwrite(f, content.data(), static_cast<unsigned>(content.size())), int(content.size()));
  EXPECT_EQ(gzclose(f), Z_OK);
  return path;
}

void put_be32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFF);
}

// An IDX file: magic 00 00 type ndim, the dimensions, then the values big-endian.
template <typename T>
std::string idx_bytes(unsigned char type, const std::vector<std::uint32_t>& dims,
                      const std::vector<T>& values) {
  std::string out{'\0', '\0', static_cast<char>(type), static_cast<char>(dims.size())};
  for (std::uint32_t d : dims) put_be32(out, d);
  for (T v : values) {
    unsigned char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    for (std::size_t i = sizeof(T); i-- > 0;) out += static_cast<char>(b[i]);  // little -> big
  }
  return out;
}

std::string error_of(const std::string& path) {
  try {
    mlp::data::read_idx(path);
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

// 3 images of 2 x 2 pixels: 0..11, with 255 last.
const std::vector<std::uint8_t> kPixels{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255};

TEST(DataIdx, ImagesAreFlattenedAndStayBytes) {
  const Array a = mlp::data::read_idx(
      write_plain("img.idx", idx_bytes<std::uint8_t>(0x08, {3, 2, 2}, kPixels)));
  EXPECT_EQ(a.describe(), "(3, 4) uint8");
  auto v = a.values<std::uint8_t>();
  EXPECT_EQ(std::vector<std::uint8_t>(v.begin(), v.end()), kPixels);
  std::vector<float> row(4);
  a.copy_row(2, row.data());
  EXPECT_EQ(row, (std::vector<float>{8, 9, 10, 255}));
}

TEST(DataIdx, GzipGivesTheSameArray) {
  std::string content = idx_bytes<std::uint8_t>(0x08, {3, 2, 2}, kPixels);
  const Array plain = mlp::data::read_idx(write_plain("same.idx", content));
  const Array gz = mlp::data::read_idx(write_gz("same.idx.gz", content));
  EXPECT_EQ(gz.describe(), plain.describe());
  EXPECT_EQ(std::memcmp(gz.bytes(), plain.bytes(), plain.byte_size()), 0);
}

TEST(DataIdx, GzipIsFoundByMagicNotName) {
  std::string content = idx_bytes<std::uint8_t>(0x08, {3, 2, 2}, kPixels);
  EXPECT_EQ(mlp::data::read_idx(write_gz("zipped_without_suffix", content)).describe(),
            "(3, 4) uint8");
  EXPECT_EQ(mlp::data::read_idx(write_plain("plain_named.gz", content)).describe(), "(3, 4) uint8");
}

TEST(DataIdx, LabelFileIsOneColumn) {
  const std::vector<std::uint8_t> labels{9, 0, 0, 3, 0, 2};
  const Array a = mlp::data::read_idx(write_gz("labels.gz", idx_bytes<std::uint8_t>(0x08, {6}, labels)));
  EXPECT_EQ(a.describe(), "(6, 1) uint8");
  EXPECT_EQ(a.to_vector<double>(), (std::vector<double>{9, 0, 0, 3, 0, 2}));
}

TEST(DataIdx, ElementTypesAreBigEndian) {
  const std::vector<float> f32{1.5f, -2.25f, 1e-8f, 3e38f};
  const Array a = mlp::data::read_idx(write_plain("f32.idx", idx_bytes<float>(0x0D, {2, 2}, f32)));
  EXPECT_EQ(a.describe(), "(2, 2) float32");
  EXPECT_EQ(a.to_vector<float>(), f32);

  const std::vector<double> f64{0.1, -1e300, 2.5};
  const Array b = mlp::data::read_idx(write_gz("f64.gz", idx_bytes<double>(0x0E, {3}, f64)));
  EXPECT_EQ(b.describe(), "(3, 1) float64");
  EXPECT_EQ(b.to_vector<double>(), f64);

  const std::vector<std::int32_t> i32{-2147483647 - 1, 70000, -1, 2147483647, 0, 5};
  Array c =
      mlp::data::read_idx(write_plain("i32.idx", idx_bytes<std::int32_t>(0x0C, {1, 2, 3}, i32)));
  EXPECT_EQ(c.describe(), "(1, 6) int32");
  auto cv = c.values<std::int32_t>();
  EXPECT_EQ(std::vector<std::int32_t>(cv.begin(), cv.end()), i32);

  const std::vector<std::int16_t> i16{-300, 300};
  const Array d = mlp::data::read_idx(write_plain("i16.idx", idx_bytes<std::int16_t>(0x0B, {2}, i16)));
  EXPECT_EQ(d.to_vector<double>(), (std::vector<double>{-300, 300}));

  const std::vector<std::int8_t> i8{-128, 127};
  const Array e = mlp::data::read_idx(write_plain("i8.idx", idx_bytes<std::int8_t>(0x09, {2}, i8)));
  EXPECT_EQ(e.describe(), "(2, 1) int8");
  EXPECT_EQ(e.to_vector<double>(), (std::vector<double>{-128, 127}));
}

TEST(DataIdx, MnistSizedGzip) {
  // 10000 images of 28 x 28, pixel (n, k) = (n + 3k) % 256.
  std::vector<std::uint8_t> pixels(10000 * 784);
  for (std::size_t n = 0; n < 10000; ++n) {
    for (std::size_t k = 0; k < 784; ++k)
      pixels[n * 784 + k] = static_cast<std::uint8_t>((n + 3 * k) % 256);
  }
  const Array a = mlp::data::read_idx(
      write_gz("big.gz", idx_bytes<std::uint8_t>(0x08, {10000, 28, 28}, pixels)));
  ASSERT_EQ(a.describe(), "(10000, 784) uint8");
  EXPECT_EQ(std::memcmp(a.bytes(), pixels.data(), pixels.size()), 0);
}

TEST(DataIdx, MultiMemberGzip) {
  // gzip files may be concatenated; gunzip reads them as one stream.
  std::string content = idx_bytes<std::uint8_t>(0x08, {3, 2, 2}, kPixels);
  std::string first = slurp(write_gz("m1.gz", content.substr(0, 7)));
  std::string second = slurp(write_gz("m2.gz", content.substr(7)));
  const Array a = mlp::data::read_idx(write_plain("multi.gz", first + second));
  EXPECT_EQ(a.describe(), "(3, 4) uint8");
  EXPECT_EQ(a.at(2, 3), 255.0);
}

TEST(DataIdx, NotAnIdxFile) {
  const std::vector<std::uint8_t> one{1};
  std::string good = idx_bytes<std::uint8_t>(0x08, {1}, one);
  std::string p = temp_path("bad.idx");
  auto check = [&](const std::string& content) {
    write_plain("bad.idx", content);
    return error_of(p);
  };
  EXPECT_EQ(check("\x01" + good.substr(1)), p + ": not an IDX file");
  EXPECT_EQ(check(std::string("\0\0\x07\x01", 4) + good.substr(4)),
            p + ": not an IDX file");                                         // type
  EXPECT_EQ(check(std::string("\0\0\x08\x00", 4)), p + ": not an IDX file");  // no dimensions
  EXPECT_EQ(check(""), p + ": not an IDX file");
  EXPECT_EQ(check("P5\n28 28\n255\n"), p + ": not an IDX file");  // a PGM image
  std::string gz = temp_path("bad.gz");
  write_gz("bad.gz", "hello, world");
  EXPECT_EQ(error_of(gz), gz + ": not an IDX file");
}

TEST(DataIdx, TruncatedHeader) {
  std::string content = idx_bytes<std::uint8_t>(0x08, {3, 2, 2}, kPixels);
  std::string p = write_plain("th.idx", content.substr(0, 10));
  EXPECT_EQ(error_of(p), p + ": truncated IDX header");
  std::string g = write_gz("th.gz", content.substr(0, 10));
  EXPECT_EQ(error_of(g), g + ": truncated IDX header");
}

TEST(DataIdx, SizeMismatch) {
  std::string header;
  header += std::string("\0\0\x08\x03", 4);
  put_be32(header, 60000);
  put_be32(header, 28);
  put_be32(header, 28);
  const std::string suffix =
      ": header says 60000 x 28 x 28 (47040000 bytes) but the data holds 1000 bytes";
  std::string p = write_plain("short.idx", header + std::string(1000, '\x07'));
  EXPECT_EQ(error_of(p), p + suffix);
  std::string g = write_gz("short.gz", header + std::string(1000, '\x07'));
  EXPECT_EQ(error_of(g), g + suffix);

  // Too much data is as wrong as too little.
  std::string content = idx_bytes<std::uint8_t>(0x08, {3, 2, 2}, kPixels) + "xy";
  std::string p2 = write_plain("long.idx", content);
  EXPECT_EQ(error_of(p2), p2 + ": header says 3 x 2 x 2 (12 bytes) but the data holds 14 bytes");
  std::string g2 = write_gz("long.gz", content);
  EXPECT_EQ(error_of(g2), g2 + ": header says 3 x 2 x 2 (12 bytes) but the data holds 14 bytes");

  const std::vector<std::int32_t> labels{1, 2};
  std::string p3 = write_plain("lab.idx", idx_bytes<std::int32_t>(0x0C, {3}, labels));
  EXPECT_EQ(error_of(p3), p3 + ": header says 3 values (12 bytes) but the data holds 8 bytes");

  // A gzip header that claims far more than its stream could hold is not believed (nor allocated).
  std::string huge;
  huge += std::string("\0\0\x0E\x03", 4);
  put_be32(huge, 0xFFFFFFFF);
  put_be32(huge, 0xFFFFFFFF);
  put_be32(huge, 0xFFFFFFFF);
  std::string g3 = write_gz("huge.gz", huge + "abc");
  EXPECT_EQ(error_of(g3), g3 +
                              ": header says 4294967295 x 4294967295 x 4294967295 (too many bytes) "
                              "but the data holds 3 bytes");
}

TEST(DataIdx, CorruptGzip) {
  std::string content = idx_bytes<std::uint8_t>(0x08, {3, 2, 2}, kPixels);
  std::string gz = slurp(write_gz("c.gz", content));
  ASSERT_GT(gz.size(), 20u);

  // A deflate block of reserved type 3 (header bits 111).
  std::string bad_block = gz;
  bad_block[10] = static_cast<char>(0xFF);
  std::string p = write_plain("c1.gz", bad_block);
  EXPECT_EQ(error_of(p), p + ": corrupt gzip data (invalid block type)");

  // The CRC-32 in the trailer (the last 8 bytes: CRC, then size) does not match.
  std::string bad_crc = gz;
  bad_crc[gz.size() - 8] = static_cast<char>(bad_crc[gz.size() - 8] ^ 0x55);
  std::string p2 = write_plain("c2.gz", bad_crc);
  EXPECT_EQ(error_of(p2), p2 + ": corrupt gzip data (incorrect data check)");

  // Cut off: inside the compressed data, and inside the trailer.
  for (std::size_t keep : {gz.size() / 2, gz.size() - 3}) {
    std::string p3 = write_plain("c3.gz", gz.substr(0, keep));
    EXPECT_EQ(error_of(p3), p3 + ": corrupt gzip data (truncated)") << keep;
  }
  // Only the gzip magic.
  std::string p4 = write_plain("c4.gz", gz.substr(0, 2));
  EXPECT_EQ(error_of(p4), p4 + ": corrupt gzip data (truncated)");
}

TEST(DataIdx, MissingFile) {
  std::string path = temp_path("missing.gz");
  std::remove(path.c_str());
  EXPECT_EQ(error_of(path), path + ": cannot open: No such file or directory");
}

}  // namespace
