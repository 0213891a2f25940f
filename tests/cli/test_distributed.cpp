// Data-parallel training under mpirun (docs/distributed.md), end to end: with 2 and 3
// processes, f64 training without shuffling gives the model one process trains with the same
// global batch (to 1e-9 relative); with --deterministic, 1, 2 and 4 processes save byte-identical
// tensors; errors on any process end them all with one line. Skipped when MPI is not installed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_fixtures.h"
#include "mlp/pipeline/pipeline.h"

namespace {

using mlp_test::CommandResult;
using mlp_test::q;
using mlp_test::ScratchDir;

// mpirun's own notes go with -q; as root it needs --allow-run-as-root; more processes than cores
// need --oversubscribe; on a machine busy with other work, processes not bound to cores and
// yielding while they wait keep up; vader's single-copy mechanism (CMA) is refused in some
// containers, and copy-in/copy-out works everywhere. MLP_MPIEXEC_FLAGS adds flags
// (docs/distributed.md). `timeout` turns a hang into a failure.
std::string launcher(int processes) {
#ifdef MLP_MPIEXEC
  std::string s = std::string("timeout 120 ") + MLP_MPIEXEC +
                  " -q --oversubscribe --bind-to none --mca mpi_yield_when_idle 1 --mca btl_vader_single_copy_mechanism none";
  if (::geteuid() == 0) s += " --allow-run-as-root";
  if (const char* extra = std::getenv("MLP_MPIEXEC_FLAGS")) s += std::string(" ") + extra;
  return s + " -np " + std::to_string(processes) + " ";
#else
  (void)processes;
  return "";
#endif
}

#ifdef MLP_MPIEXEC
#define REQUIRE_MPI()
#else
#define REQUIRE_MPI() GTEST_SKIP() << "MPI is not installed (Debian: libopenmpi-dev openmpi-bin, which scripts/setup.sh installs), so mlp was built without data-parallel training"
#endif

// `mlp ARGS` under mpirun with `processes` processes (1: without mpirun).
CommandResult mlp_on(int processes, const std::string& args) {
  if (processes == 1) return mlp_test::run_command("timeout 120 " + std::string(MLP_BINARY) + " " + args);
  return mlp_test::run_command(launcher(processes) + MLP_BINARY + " " + args);
}

// A table of `rows` rows: 3 features and a regression target, or a class (a, b, c).
std::string table(std::size_t rows, bool classes, unsigned seed) {
  std::string csv = "x1,x2,x3,y\n";
  std::uint64_t s = seed * 2654435761u + 1;
  auto next = [&s]() {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>(s >> 11) / 9007199254740992.0 * 2 - 1;
  };
  for (std::size_t i = 0; i < rows; ++i) {
    const double a = next(), b = next(), c = next();
    const double t = std::sin(3 * a) + b * c + 0.1 * next();
    csv += mlp::format_repr(a) + "," + mlp::format_repr(b) + "," + mlp::format_repr(c) + ",";
    csv += classes ? std::string(t < -0.3 ? "a" : t < 0.4 ? "b" : "c") : mlp::format_repr(10 * t + 5);
    csv += "\n";
  }
  return csv;
}

int error_lines(const std::string& err) {
  int n = 0;
  for (std::size_t at = err.find("mlp: error: "); at != std::string::npos; at = err.find("mlp: error: ", at + 1)) ++n;
  return n;
}

// Every column of a history CSV but seconds, as numbers (empty cells NaN).
std::vector<double> history_numbers(const std::string& csv) {
  std::vector<double> v;
  std::size_t line_start = csv.find('\n') + 1;
  while (line_start < csv.size()) {
    std::size_t end = csv.find('\n', line_start);
    std::string line = csv.substr(line_start, end - line_start);
    std::size_t col = 0, from = 0;
    while (true) {
      std::size_t comma = line.find(',', from);
      std::string cell = line.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
      if (col != 1) v.push_back(cell.empty() ? NAN : std::stod(cell));
      ++col;
      if (comma == std::string::npos) break;
      from = comma + 1;
    }
    line_start = end == std::string::npos ? csv.size() : end + 1;
  }
  return v;
}

void expect_close(double a, double b, const std::string& what) {
  if (std::isnan(a) && std::isnan(b)) return;
  EXPECT_LE(std::abs(a - b), 1e-9 * std::max(std::abs(a), std::abs(b)) + 1e-12) << what << ": " << a << " vs " << b;
}

struct Case {
  const char* name;
  bool classes;
  const char* optimizer;
};

class DistributedEqualsAlone : public ::testing::TestWithParam<Case> {};

// 97 rows in batches of 8: with 2 processes each full batch is 4 + 4 rows and the last one row
// is all the second process's (the first computes nothing); with 3, 2 + 3 + 3 and 0 + 0 + 1.
TEST_P(DistributedEqualsAlone, F64WithoutShufflingToOneBillionth) {
  REQUIRE_MPI();
  const Case& c = GetParam();
  ScratchDir dir;
  mlp_test::write_file(dir / "train.csv", table(97, c.classes, 1));
  mlp_test::write_file(dir / "val.csv", table(23, c.classes, 2));
  const std::string common = " --dtype f64 --no-shuffle --batch-size 8 --epochs 4 --hidden 16,8 --early-stopping 0"
                             " --threads 1 -q --optimizer " + std::string(c.optimizer) + " --val " + q(dir / "val.csv");
  std::vector<mlp::Pipeline> models;
  std::vector<std::vector<double>> histories;
  for (int np : {1, 2, 3}) {
    const std::string model = dir / ("m" + std::to_string(np) + ".st"), history = dir / ("h" + std::to_string(np) + ".csv");
    CommandResult r = mlp_on(np, "train " + q(dir / "train.csv") + common + " -o " + q(model) + " --history " + q(history));
    ASSERT_EQ(r.status, 0) << np << " processes: " << r.err;
    EXPECT_EQ(r.err, "") << np << " processes";
    models.push_back(mlp::Pipeline::load(model));
    histories.push_back(history_numbers(mlp_test::read_text(history)));
  }
  for (std::size_t m = 1; m < models.size(); ++m) {
    const std::string who = std::to_string(m + 1) + " processes";
    ASSERT_EQ(models[m].layers(), models[0].layers());
    for (std::size_t l = 0; l < models[0].layers(); ++l) {
      mlp::Matrix<double> w0 = models[0].weight(l), w = models[m].weight(l);
      ASSERT_EQ(w.size(), w0.size());
      for (std::size_t i = 0; i < w.size(); ++i) expect_close(w.data()[i], w0.data()[i], who + ", layer " + std::to_string(l) + " weight");
      std::vector<double> b0 = models[0].bias(l), b = models[m].bias(l);
      for (std::size_t i = 0; i < b.size(); ++i) expect_close(b[i], b0[i], who + ", layer " + std::to_string(l) + " bias");
    }
    // The losses and the validation metrics of every epoch, over the whole validation set.
    ASSERT_EQ(histories[m].size(), histories[0].size());
    for (std::size_t i = 0; i < histories[m].size(); ++i) expect_close(histories[m][i], histories[0][i], who + ", history value " + std::to_string(i));
  }
}

INSTANTIATE_TEST_SUITE_P(Mpi, DistributedEqualsAlone,
                         ::testing::Values(Case{"RegressionSgdMomentum", false, "sgd --lr 0.02 --momentum 0.9"},
                                           Case{"RegressionAdam", false, "adam --lr 0.01"},
                                           Case{"ClassificationSgdMomentum", true, "sgd --lr 0.05 --momentum 0.9"},
                                           Case{"ClassificationAdam", true, "adam --lr 0.01"}),
                         [](const ::testing::TestParamInfo<Case>& i) { return std::string(i.param.name); });

// A safetensors file's tensors: the header without __metadata__, and the data bytes.
std::pair<std::string, std::string> tensors_of(const std::string& bytes) {
  std::uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  nlohmann::json header = nlohmann::json::parse(bytes.substr(8, n));
  header.erase("__metadata__");
  return {header.dump(), bytes.substr(8 + n)};
}

TEST(Distributed, DeterministicGivesTheSameBytesOnOneTwoAndFourProcesses) {
  REQUIRE_MPI();
  ScratchDir dir;
  mlp_test::write_file(dir / "train.csv", table(203, true, 3));
  const std::string common = " --deterministic --micro-batches 4 --batch-size 16 --epochs 3 --hidden 32,16 --dropout 0.2"
                             " --optimizer adam --val-split 0.2 --threads 1 -q";
  std::vector<std::pair<std::string, std::string>> tensors;
  for (int np : {1, 2, 4}) {
    const std::string model = dir / ("m" + std::to_string(np) + ".st");
    CommandResult r = mlp_on(np, "train " + q(dir / "train.csv") + common + " -o " + q(model));
    ASSERT_EQ(r.status, 0) << np << " processes: " << r.err;
    tensors.push_back(tensors_of(mlp_test::read_text(model)));
  }
  for (std::size_t i = 1; i < tensors.size(); ++i) {
    EXPECT_EQ(tensors[i].first, tensors[0].first) << "tensor names, types and shapes";
    EXPECT_TRUE(tensors[i].second == tensors[0].second) << (1 << i) << " processes: the weights differ from one process's";
  }
  // Without --deterministic the same run is another model (dropout and sums differ): the test can fail.
  CommandResult r = mlp_on(1, "train " + q(dir / "train.csv") + common.substr(std::string(" --deterministic").size()) +
                                  " -o " + q(dir / "plain.st"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(tensors_of(mlp_test::read_text(dir / "plain.st")).second == tensors[0].second);
}

TEST(Distributed, DeterministicResumesToTheSameBytesOnTwoProcessesOrOne) {
  REQUIRE_MPI();
  ScratchDir dir;
  mlp_test::write_file(dir / "train.csv", table(203, true, 4));
  const std::string common = " --deterministic --micro-batches 4 --batch-size 16 --hidden 32,16 --dropout 0.2"
                             " --optimizer adam --val-split 0.2 --threads 1 -q --early-stopping 0";
  const std::string data = "train " + q(dir / "train.csv") + common;
  ASSERT_EQ(mlp_on(2, data + " --epochs 4 -o " + q(dir / "whole.st")).status, 0);
  // Two epochs written by process 0 as a checkpoint, then two more, on two processes or on one.
  CommandResult r = mlp_on(2, data + " --epochs 2 -o " + q(dir / "half.st") + " --checkpoint " + q(dir / "ck.st"));
  ASSERT_EQ(r.status, 0) << r.err;
  for (int np : {2, 1}) {
    const std::string model = dir / ("resumed" + std::to_string(np) + ".st");
    r = mlp_on(np, data + " --epochs 4 -o " + q(model) + " --checkpoint " + q(dir / "ck2.st") + " --resume " + q(dir / "ck.st"));
    ASSERT_EQ(r.status, 0) << np << " processes: " << r.err;
    EXPECT_TRUE(tensors_of(mlp_test::read_text(model)) == tensors_of(mlp_test::read_text(dir / "whole.st"))) << np << " processes";
  }
}

TEST(Distributed, DeterministicRefusesThreeProcessesInOneLine) {
  REQUIRE_MPI();
  ScratchDir dir;
  mlp_test::write_file(dir / "train.csv", table(40, false, 4));
  CommandResult r = mlp_on(3, "train " + q(dir / "train.csv") + " --deterministic --epochs 1 -o " + q(dir / "m.st"));
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_EQ(error_lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("power-of-two number of processes"), std::string::npos) << r.err;
  EXPECT_FALSE(mlp_test::file_exists(dir / "m.st"));
}

TEST(Distributed, ABadDataFileEndsEveryProcessWithOneErrorLine) {
  REQUIRE_MPI();
  ScratchDir dir;
  mlp_test::write_file(dir / "bad.csv", "x1,x2,x3,y\n1,2,3,4\n5,6,inf,7\n");
  CommandResult r = mlp_on(2, "train " + q(dir / "bad.csv") + " --epochs 1 -o " + q(dir / "m.st"));
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_EQ(error_lines(r.err), 1) << r.err;
  EXPECT_EQ(mlp_test::count_lines(r.err), 1) << r.err;
  EXPECT_FALSE(mlp_test::file_exists(dir / "m.st"));
}

// mpirun's MPMD form gives the processes different arguments: the second reads a bad file while
// the first, whose file is fine, would wait for it in training.
TEST(Distributed, ABadFileOnOneProcessEndsThemAllWithItsErrorLine) {
  REQUIRE_MPI();
  ScratchDir dir;
  mlp_test::write_file(dir / "good.csv", table(40, false, 5));
  mlp_test::write_file(dir / "bad.csv", "x1,x2,x3,y\n1,2,3,4\n5,6,inf,7\n");
  const std::string tail = " --epochs 2 -o " + q(dir / "m.st");
  CommandResult r = mlp_test::run_command(launcher(1) + MLP_BINARY + " train " + q(dir / "good.csv") + tail + " : -np 1 " +
                                          MLP_BINARY + " train " + q(dir / "bad.csv") + tail);
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_EQ(error_lines(r.err), 1) << r.err;  // after the first process's line about its data
  EXPECT_NE(r.err.find("mlp: error: " + dir / "bad.csv:3:3: 'inf' is not a finite number"), std::string::npos) << r.err;
  EXPECT_FALSE(mlp_test::file_exists(dir / "m.st"));
}

TEST(Distributed, ProcessesWithDifferentDataStopWithOneErrorLine) {
  REQUIRE_MPI();
  ScratchDir dir;
  mlp_test::write_file(dir / "a.csv", table(40, false, 6));
  mlp_test::write_file(dir / "b.csv", table(41, false, 6));
  const std::string tail = " --epochs 2 --val-split 0 -o " + q(dir / "m.st");
  CommandResult r = mlp_test::run_command(launcher(1) + MLP_BINARY + " train " + q(dir / "a.csv") + tail + " : -np 1 " +
                                          MLP_BINARY + " train " + q(dir / "b.csv") + tail);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_EQ(error_lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("process 1 has 41 training rows, process 0 has 40"), std::string::npos) << r.err;
  EXPECT_FALSE(mlp_test::file_exists(dir / "m.st"));
}

TEST(Distributed, ADivergingRunEndsEveryProcessWithOneErrorLine) {
  REQUIRE_MPI();
  ScratchDir dir;
  mlp_test::write_file(dir / "train.csv", table(60, false, 7));
  CommandResult r = mlp_on(3, "train " + q(dir / "train.csv") + " --optimizer sgd --lr 1e30 --epochs 3 --scale none -o " +
                                  q(dir / "m.st"));
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_EQ(error_lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("training diverged"), std::string::npos) << r.err;
  EXPECT_FALSE(mlp_test::file_exists(dir / "m.st"));
}

}  // namespace
