// The generator against numpy's own sequences (tests/fixtures/random_golden.txt, made by
// scripts/gen_random_golden.py with Debian's numpy).
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "mlp/core/random.h"
#include "golden.h"

namespace {

struct GoldenCall {
  std::string call;
  std::uint32_t seed = 0;
  std::size_t arg = 0;
  std::vector<double> values;
};

// "CALL SEED ARG : VALUE ...", one line per sequence.
std::vector<GoldenCall> read_golden() {
  std::vector<GoldenCall> calls;
  for (const mlp_test::GoldenLine& line : mlp_test::read_golden_lines("random_golden.txt")) {
    GoldenCall g;
    g.call = line.key;
    g.seed = static_cast<std::uint32_t>(line.count(0));
    g.arg = line.count(1);
    g.values = line.nums(3);
    calls.push_back(std::move(g));
  }
  return calls;
}

TEST(Random, FactsFromTheReference) {
  // ../shared/reference/numpy_rng_facts.txt
  mlp::Random rng(99);
  EXPECT_EQ(rng.rand(), 0.6722785586307918);
  EXPECT_EQ(rng.rand(), 0.4880783992405837);
  EXPECT_EQ(rng.rand(), 0.8254951740358963);
  EXPECT_EQ(rng.rand(), 0.031446387626298145);
  rng.seed(99);
  EXPECT_EQ(rng.randn(), -0.14235884270194815);
  EXPECT_EQ(rng.randn(), 2.0572217375814947);
  EXPECT_EQ(rng.randn(), 0.2832619411060342);
  rng.seed(99);
  std::vector<std::size_t> expected = {8, 5, 4, 2, 6, 7, 0, 9, 3, 1};
  EXPECT_EQ(rng.permutation(10), expected);
}

TEST(Random, MatchesNumpyGoldenSequences) {
  auto lines = read_golden();
  ASSERT_GT(lines.size(), 50u);
  for (const auto& g : lines) {
    SCOPED_TRACE(g.call + " seed " + std::to_string(g.seed) + " arg " + std::to_string(g.arg));
    mlp::Random rng(g.seed);
    std::vector<double> got;
    if (g.call == "rand") {
      for (std::size_t i = 0; i < g.arg; ++i) got.push_back(rng.rand());
    } else if (g.call == "randn") {
      for (std::size_t i = 0; i < g.arg; ++i) got.push_back(rng.randn());
    } else if (g.call == "permutation") {
      for (std::size_t v : rng.permutation(g.arg)) got.push_back(static_cast<double>(v));
    } else if (g.call == "shuffle") {
      std::vector<int> values(g.arg);
      for (std::size_t i = 0; i < g.arg; ++i) values[i] = static_cast<int>(i);
      rng.shuffle(values);
      for (int v : values) got.push_back(v);
    } else if (g.call == "randint") {
      for (std::size_t i = 0; i < g.values.size(); ++i) got.push_back(rng.randint(static_cast<std::uint32_t>(g.arg)));
    } else if (g.call == "mixed") {
      for (int i = 0; i < 3; ++i) got.push_back(rng.rand());
      for (int i = 0; i < 3; ++i) got.push_back(rng.randn());
      for (std::size_t v : rng.permutation(5)) got.push_back(static_cast<double>(v));
      for (int i = 0; i < 2; ++i) got.push_back(rng.rand());
    } else {
      FAIL() << "unknown call " << g.call;
    }
    ASSERT_EQ(got.size(), g.values.size());
    for (std::size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], g.values[i]) << "at index " << i;
  }
}

TEST(Random, ReseedingRestartsTheSequenceAndDropsTheCachedNormal) {
  mlp::Random rng(7);
  double first = rng.randn();  // makes two normals, keeps one
  rng.seed(7);
  EXPECT_EQ(rng.randn(), first);
}

}  // namespace

// Our MT19937 gives std::mt19937's words, one by one or in bulk across refills, and writes and
// reads its state in std::mt19937's text form (checkpoints made before it existed still load).
TEST(Mt19937, GivesStdMt19937sWordsAndStateText) {
  for (std::uint32_t seed : {0u, 1u, 5489u, 4294967295u}) {
    std::mt19937 reference(seed);
    mlp::Mt19937 ours(seed);
    std::vector<std::uint32_t> bulk(1500);
    for (int round = 0; round < 4; ++round) {
      for (int i = 0; i < 700; ++i) ASSERT_EQ(ours(), reference()) << "seed " << seed << " round " << round << " word " << i;
      const std::size_t n = 1 + 377 * static_cast<std::size_t>(round);  // crossing refills at other offsets
      ours.fill(bulk.data(), n);
      for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(bulk[i], reference()) << "seed " << seed << " bulk word " << i;
    }
    std::ostringstream ours_text, reference_text;
    ours_text << ours;
    reference_text << reference;
    EXPECT_EQ(ours_text.str(), reference_text.str());
    std::istringstream in(reference_text.str());
    mlp::Mt19937 read;
    in >> read;
    ASSERT_TRUE(in);
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(read(), reference());
  }
}
