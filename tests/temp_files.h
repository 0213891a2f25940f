// Temporary files for tests: a name in TempDir() of this process and test alone (ctest runs tests
// in parallel, and other runs may share the folder), removed when the test program ends.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace mlp_test {

inline std::vector<std::string>& temp_files() {
  static std::vector<std::string> files;
  return files;
}

class RemoveTempFiles : public ::testing::Environment {
  void TearDown() override {
    for (const std::string& path : temp_files()) std::remove(path.c_str());
  }
};

inline const auto* const kRemoveTempFiles = ::testing::AddGlobalTestEnvironment(new RemoveTempFiles);

// TempDir()/<pid>_<suite>_<test>_<name>, remembered for removal.
inline std::string temp_path(const std::string& name) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string test = std::string(info->test_suite_name()) + "_" + info->name();
  for (char& c : test)
    if (c == '/') c = '_';
  std::string path = ::testing::TempDir() + std::to_string(::getpid()) + "_" + test + "_" + name;
  temp_files().push_back(path);
  return path;
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Writes `content` to a new temporary file; returns its path.
inline std::string write_temp(const std::string& name, const std::string& content) {
  std::string path = temp_path(name);
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

}  // namespace mlp_test
