// Golden data from the reference implementations (tests/fixtures, written by the scripts/gen_*.py
// that scripts/generate_golden.sh runs): the one reader of each of its file formats, shared by
// every test that reads them. Two formats: text files of "key word word ..." lines
// (read_golden_lines) and CSV files with a header (read_golden_csv). A file that is missing or
// malformed throws std::runtime_error naming the file and line, which fails the test reading it.
#pragma once

#include <charconv>
#include <cstddef>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#ifndef MLP_TEST_DATA
#define MLP_TEST_DATA "tests/fixtures"
#endif

namespace mlp_test {

// tests/fixtures/<name>.
inline std::string golden_path(const std::string& name) { return std::string(MLP_TEST_DATA) + "/" + name; }

// The whole file tests/fixtures/<name>.
inline std::string golden_text(const std::string& name) {
  std::ifstream in(golden_path(name), std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + golden_path(name));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A number as the generators write them (Python's repr: "0.1", "-2e-05", "nan", "-inf"), read
// exactly; throws for anything else. `where` names the place in the message.
inline double golden_number(std::string_view token, const std::string& where = "golden data") {
  double v = 0;
  const auto res = std::from_chars(token.data(), token.data() + token.size(), v);
  if (token.empty() || res.ec != std::errc() || res.ptr != token.data() + token.size())
    throw std::runtime_error(where + ": '" + std::string(token) + "' is not a number");
  return v;
}

// "lr=0.1" as {"lr", "0.1"}; a word without '=' as {word, ""}.
inline std::pair<std::string, std::string> golden_option(const std::string& word) {
  const std::size_t eq = word.find('=');
  if (eq == std::string::npos) return {word, ""};
  return {word.substr(0, eq), word.substr(eq + 1)};
}

// One line of a "key word word ..." file, split at white space.
struct GoldenLine {
  std::string where;               // "tests/fixtures/x.txt:12", for messages
  std::string text;                // the whole line, as it is in the file
  std::string key;                 // the first word
  std::vector<std::string> words;  // the words after it

  double num(std::size_t i) const { return golden_number(word(i), where); }
  // words[i] as a count (a whole number >= 0).
  std::size_t count(std::size_t i) const {
    std::size_t v = 0;
    const std::string& w = word(i);
    const auto res = std::from_chars(w.data(), w.data() + w.size(), v);
    if (w.empty() || res.ec != std::errc() || res.ptr != w.data() + w.size())
      throw std::runtime_error(where + ": '" + w + "' is not a count");
    return v;
  }
  const std::string& word(std::size_t i) const {
    if (i >= words.size()) throw std::runtime_error(where + ": too few words");
    return words[i];
  }
  // words[from], words[from + 1], ... as numbers.
  std::vector<double> nums(std::size_t from = 0) const {
    std::vector<double> v;
    for (std::size_t i = from; i < words.size(); ++i) v.push_back(golden_number(words[i], where));
    return v;
  }
  // Every word, the key too, as numbers: a line of values alone.
  std::vector<double> values() const {
    std::vector<double> v{golden_number(key, where)};
    for (double x : nums()) v.push_back(x);
    return v;
  }
};

// Every line of tests/fixtures/<name> that is not blank and does not start with '#'.
inline std::vector<GoldenLine> read_golden_lines(const std::string& name) {
  std::istringstream in(golden_text(name));
  std::vector<GoldenLine> lines;
  std::string text_line;
  for (std::size_t n = 1; std::getline(in, text_line); ++n) {
    std::istringstream words(text_line);
    GoldenLine line;
    if (!(words >> line.key) || line.key[0] == '#') continue;
    line.where = golden_path(name) + ":" + std::to_string(n);
    line.text = text_line;
    for (std::string w; words >> w;) line.words.push_back(w);
    lines.push_back(std::move(line));
  }
  return lines;
}

// The rows of the CSV file tests/fixtures/<name> (plain comma-separated fields, no quoting), after
// checking that its header is `header`.
inline std::vector<std::vector<std::string>> read_golden_csv(const std::string& name, const std::string& header) {
  std::istringstream in(golden_text(name));
  std::string line;
  std::getline(in, line);
  if (line != header) throw std::runtime_error(golden_path(name) + ": header '" + line + "', expected '" + header + "'");
  std::vector<std::vector<std::string>> rows;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::istringstream cells(line);
    for (std::string field; std::getline(cells, field, ',');) fields.push_back(field);
    rows.push_back(std::move(fields));
  }
  return rows;
}

}  // namespace mlp_test
