// `mlp train` stopped by signals, as real processes: SIGINT or SIGTERM saves the model, history,
// plot and checkpoint and exits 130 or 143; --resume then ends with the tensors of a run that
// never stopped; SIGKILL at random moments never leaves a damaged checkpoint or model; a
// checkpoint refuses other data and other options.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <string>
#include <thread>

#include "cli_fixtures.h"
#include "mlp/formats/checkpoint.h"
#include "mlp/pipeline/pipeline.h"
#include "mlp/core/random.h"

namespace {

using mlp_test::mlp;
using mlp_test::q;
using mlp_test::read_text;
using mlp_test::ScratchDir;

// A CSV of `rows` rows: 8 features and a label from 3 classes.
std::string table(std::size_t rows) {
  mlp::Random rng(11);
  std::string csv = "a,b,c,d,e,f,g,h,label\n";
  for (std::size_t r = 0; r < rows; ++r) {
    const int c = static_cast<int>(r % 3);
    for (int k = 0; k < 8; ++k) csv += mlp::format_short((k == c ? 1.0 : 0.0) + rng.randn(), 6) + ",";
    csv += std::to_string(c) + "\n";
  }
  return csv;
}

// `mlp ARGS` started in the background with stderr into `err`; its pid.
pid_t start(const std::string& args, const std::string& err) {
  const std::string command = "exec " + std::string(MLP_BINARY) + " " + args + " 2>" + q(err);
  const pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

// Its exit status (128 + N when a signal N ended it).
int finish(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Waits (up to two minutes) until `file` holds `text`.
bool wait_for(const std::string& file, const std::string& text) {
  for (int i = 0; i < 120000; ++i) {
    if (read_text(file).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

// A safetensors file's tensors: its header without the metadata, and its data.
std::string tensors(const std::string& path) {
  mlp_test::SafetensorsParts parts = mlp_test::split_safetensors(read_text(path));
  parts.header.erase("__metadata__");
  return parts.header.dump() + parts.data;
}

struct Recipe {
  const char* name;
  const char* options;
};

void PrintTo(const Recipe& r, std::ostream* os) { *os << r.name; }

class Interrupt : public ::testing::TestWithParam<Recipe> {};

TEST_P(Interrupt, SigintInEpoch3SavesWhatItHasAndResumesToTheSameModel) {
  ScratchDir dir;
  mlp_test::write_file(dir / "d.csv", table(20000));
  // Shuffled batches of 4, dropout and a cosine schedule: 5000 steps an epoch, long enough for
  // the signal to arrive in epoch 3.
  // One thread: ctest runs tests side by side, and spinning OpenMP threads of two processes on two
  // cores would slow each other down many times over (under the sanitizers most of all).
  const std::string options = std::string(GetParam().options) +
                              " --epochs 6 --hidden 128,128 --dropout 0.2 --schedule cosine --batch-size 4 --threads 1";
  const auto whole = mlp("train " + q(dir / "d.csv") + " -o " + q(dir / "whole.st") + " " + options + " -q");
  ASSERT_EQ(whole.status, 0) << whole.err;

  const pid_t pid = start("train " + q(dir / "d.csv") + " -o " + q(dir / "part.st") + " " + options + " --checkpoint " +
                              q(dir / "ck.st") + " --history " + q(dir / "h.csv") + " --plot " + q(dir / "p.svg"),
                          dir / "err");
  ASSERT_TRUE(wait_for(dir / "err", "epoch 2/6")) << read_text(dir / "err");
  kill(pid, SIGINT);
  EXPECT_EQ(finish(pid), 130);
  const std::string err = read_text(dir / "err");
  EXPECT_NE(err.find("\nmlp: interrupted in epoch 3 after batch "), std::string::npos) << err;
  EXPECT_NE(err.find("; to continue, run the same command with --resume " + dir / "ck.st"), std::string::npos) << err;
  EXPECT_EQ(mlp_test::count_lines(read_text(dir / "h.csv")), 3);  // the header and epochs 1 and 2
  EXPECT_TRUE(mlp_test::file_exists(dir / "p.svg"));
  EXPECT_EQ(mlp("info " + q(dir / "part.st")).status, 0);

  const auto resumed = mlp("train " + q(dir / "d.csv") + " -o " + q(dir / "resumed.st") + " " + options + " --resume " +
                           q(dir / "ck.st") + " --history " + q(dir / "h.csv") + " -q");
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_EQ(tensors(dir / "resumed.st"), tensors(dir / "whole.st"));
  EXPECT_EQ(mlp_test::count_lines(read_text(dir / "h.csv")), 7);
}

INSTANTIATE_TEST_SUITE_P(Recipes, Interrupt,
                         ::testing::Values(Recipe{"f32_sgd_momentum", "--optimizer sgd --momentum 0.9 --lr 0.02"},
                                           Recipe{"f32_adam", "--optimizer adam"},
                                           Recipe{"f64_sgd_momentum", "--optimizer sgd --momentum 0.9 --lr 0.02 --dtype f64"},
                                           Recipe{"f64_adam", "--optimizer adam --dtype f64"}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Interrupt, SigtermSavesTooAndExits143) {
  ScratchDir dir;
  mlp_test::write_file(dir / "d.csv", table(20000));
  const pid_t pid =
      start("train " + q(dir / "d.csv") + " -o " + q(dir / "m.st") + " --epochs 50 --batch-size 4 --threads 1", dir / "err");
  ASSERT_TRUE(wait_for(dir / "err", "epoch 1/50")) << read_text(dir / "err");
  kill(pid, SIGTERM);
  EXPECT_EQ(finish(pid), 143);
  const std::string err = read_text(dir / "err");
  EXPECT_NE(err.find("\nmlp: terminated in epoch 2 after batch "), std::string::npos) << err;
  EXPECT_NE(err.find("; without --checkpoint this run cannot be resumed"), std::string::npos) << err;
  EXPECT_EQ(mlp("info " + q(dir / "m.st")).status, 0);
}

TEST(Interrupt, SigkillAtRandomMomentsNeverLeavesADamagedCheckpointOrModel) {
  ScratchDir dir;
  mlp_test::write_file(dir / "d.csv", table(300));
  // Wide layers and short epochs that go on until killed: most of the time goes into writing
  // checkpoints (about 1 MB each, with Adam's moments).
  const std::string args = "train " + q(dir / "d.csv") + " -o " + q(dir / "m.st") +
                           " --hidden 256,128 --epochs 100000 --early-stopping 0 --threads 1 -q --checkpoint " + q(dir / "ck.st");
  std::mt19937 rng(7);
  auto pause = [&](int most_us) {
    std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, most_us)(rng)));
  };
  // A first run stopped by Ctrl-C leaves both files; every kill after it must leave them whole.
  const pid_t first = start(args, dir / "err");
  ASSERT_TRUE(wait_for(dir / "ck.st", "mlp_checkpoint"));
  kill(first, SIGINT);
  ASSERT_EQ(finish(first), 130) << read_text(dir / "err");
  int killed = 0;
  for (int i = 0; i < 30; ++i) {
    const pid_t pid = start(args, dir / "err");
    pause(300000);
    // Every other time Ctrl-C first, so that the kill may land while the model is being saved.
    if (i % 2 == 1) {
      kill(pid, SIGINT);
      pause(20000);
    }
    kill(pid, SIGKILL);
    killed += finish(pid) == 128 + SIGKILL;
    // Both files are whole, old or new: the checkpoint reads with its state, the model loads.
    EXPECT_NO_THROW(mlp::io::checkpoint_from_bytes<float>(read_text(dir / "ck.st"), "ck.st")) << "after kill " << i;
    EXPECT_NO_THROW(mlp::Pipeline::load(dir / "m.st")) << "after kill " << i;
  }
  EXPECT_GE(killed, 15);  // the runs without Ctrl-C never end by themselves
}

TEST(Interrupt, ResumeRefusesOtherDataAndOtherOptions) {
  ScratchDir dir;
  mlp_test::write_file(dir / "d.csv", table(300));
  std::string other = table(300);
  other[30] = other[30] == '1' ? '2' : '1';  // one digit of the first row
  mlp_test::write_file(dir / "other.csv", other);
  const std::string model = " -o " + q(dir / "m.st") + " --epochs 2 -q ";
  ASSERT_EQ(mlp("train " + q(dir / "d.csv") + model + "--checkpoint " + q(dir / "ck.st")).status, 0);
  const auto data = mlp("train " + q(dir / "other.csv") + model + "--resume " + q(dir / "ck.st"));
  EXPECT_EQ(data.status, 2);
  EXPECT_NE(data.err.find("the training data differs from the checkpoint's: the same 300 rows of 8 features, but other values"),
            std::string::npos)
      << data.err;
  EXPECT_EQ(mlp_test::count_lines(data.err), 1);
  const auto options = mlp("train " + q(dir / "d.csv") + model + "--hidden 50 --resume " + q(dir / "ck.st"));
  EXPECT_EQ(options.status, 2);
  EXPECT_NE(options.err.find("the checkpoint's training has hidden null, these options give [50]"), std::string::npos) << options.err;
  // More epochs are fine.
  EXPECT_EQ(mlp("train " + q(dir / "d.csv") + " -o " + q(dir / "m.st") + " --epochs 3 -q --resume " + q(dir / "ck.st")).status, 0);
}

}  // namespace
