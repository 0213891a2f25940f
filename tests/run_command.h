// Runs a command line through the shell for end-to-end tests: exit status, stdout, stderr.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace mlp_test {

struct CommandResult {
  int status = -1;  // the exit status; 128 + N when killed by signal N
  std::string out, err;
};

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline CommandResult run_command(const std::string& command) {
  static int counter = 0;
  std::string base = ::testing::TempDir() + "mlp_cmd_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  std::string full = command + " >" + base + ".out 2>" + base + ".err";
  int raw = std::system(full.c_str());
  CommandResult r;
  if (WIFEXITED(raw)) r.status = WEXITSTATUS(raw);
  else if (WIFSIGNALED(raw)) r.status = 128 + WTERMSIG(raw);
  r.out = read_text(base + ".out");
  r.err = read_text(base + ".err");
  std::remove((base + ".out").c_str());
  std::remove((base + ".err").c_str());
  return r;
}

inline int count_lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

}  // namespace mlp_test
