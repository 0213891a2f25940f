// numpy's legacy RandomState, reproduced: the same MT19937 words, turned into
// doubles, normals and bounded integers the way numpy turns them.
#include "mlp/core/random.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <istream>
#include <ostream>
#include <sstream>

#include "mlp/core/error.h"

namespace mlp {

// init_genrand, as numpy and std::mt19937 seed.
void Mt19937::seed(std::uint32_t seed) {
  words_[0] = seed;
  for (std::size_t i = 1; i < kWords; ++i)
    words_[i] = 1812433253u * (words_[i - 1] ^ (words_[i - 1] >> 30)) + static_cast<std::uint32_t>(i);
  next_ = kWords;
}

namespace {
// The twist of one word from its upper bit, the next word's lower 31 bits and a word 397 on.
inline std::uint32_t twist(std::uint32_t upper, std::uint32_t lower, std::uint32_t far) {
  const std::uint32_t y = (upper & 0x80000000u) | (lower & 0x7fffffffu);
  return far ^ (y >> 1) ^ ((lower & 1u) ? 0x9908b0dfu : 0u);
}
}  // namespace

// genrand's refill in three loops without a wrap-around index (the first two vectorize: the
// second reads words 227 back, written already, further than any vector reaches).
void Mt19937::refill() {
  constexpr std::size_t n = kWords, m = 397;
  std::uint32_t* w = words_.data();
  for (std::size_t i = 0; i < n - m; ++i) w[i] = twist(w[i], w[i + 1], w[i + m]);
  for (std::size_t i = n - m; i < n - 1; ++i) w[i] = twist(w[i], w[i + 1], w[i + m - n]);
  w[n - 1] = twist(w[n - 1], w[0], w[m - 1]);
  next_ = 0;
}

void Mt19937::fill(std::uint32_t* out, std::size_t n) {
  while (n > 0) {
    if (next_ >= kWords) refill();
    const std::size_t take = std::min(n, kWords - next_);
    const std::uint32_t* w = words_.data() + next_;
    for (std::size_t i = 0; i < take; ++i) out[i] = temper(w[i]);
    out += take;
    n -= take;
    next_ += take;
  }
}

std::ostream& operator<<(std::ostream& out, const Mt19937& engine) {
  for (std::uint32_t word : engine.words_) out << word << ' ';
  return out << engine.next_;
}

std::istream& operator>>(std::istream& in, Mt19937& engine) {
  Mt19937 read;
  for (std::uint32_t& word : read.words_) in >> word;
  in >> read.next_;
  if (in && read.next_ > Mt19937::kWords) in.setstate(std::ios::failbit);
  if (in) engine = read;
  return in;
}

double Random::rand() {
  const std::uint32_t a = next_u32();  // drawn first
  const std::uint32_t b = next_u32();
  return static_cast<double>(rand_bits(a, b)) / 9007199254740992.0;  // exact: 53 bits over 2^53
}

double Random::randn() {
  if (has_gauss_) {
    has_gauss_ = false;
    return gauss_;
  }
  double x1, x2, r2;
  do {
    x1 = 2.0 * rand() - 1.0;
    x2 = 2.0 * rand() - 1.0;
    r2 = x1 * x1 + x2 * x2;
  } while (r2 >= 1.0 || r2 == 0.0);
  double f = std::sqrt(-2.0 * std::log(r2) / r2);
  gauss_ = f * x1;  // kept for the next call
  has_gauss_ = true;
  return f * x2;
}

std::uint32_t Random::interval(std::uint32_t max) {
  if (max == 0) return 0;
  // The smallest all-ones mask covering max; draw until the masked word is <= max.
  std::uint32_t mask = max;
  mask |= mask >> 1;
  mask |= mask >> 2;
  mask |= mask >> 4;
  mask |= mask >> 8;
  mask |= mask >> 16;
  std::uint32_t value;
  while ((value = (next_u32() & mask)) > max) {
  }
  return value;
}

std::uint32_t Random::randint(std::uint32_t high) { return interval(high - 1); }

std::vector<std::size_t> Random::permutation(std::size_t n) {
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  shuffle(order);
  return order;
}

std::string Random::state() const {
  std::ostringstream out;
  out << engine_ << ' ' << (has_gauss_ ? 1 : 0) << ' ' << std::bit_cast<std::uint64_t>(gauss_);
  return out.str();
}

void Random::set_state(const std::string& state) {
  std::istringstream in(state);
  Mt19937 engine;
  int has_gauss = 0;
  std::uint64_t gauss = 0;
  in >> engine >> has_gauss >> gauss;
  if (!in || (has_gauss != 0 && has_gauss != 1) || !(in >> std::ws).eof())
    throw InvalidArgument("random state: not a saved generator state");
  engine_ = engine;
  has_gauss_ = has_gauss == 1;
  gauss_ = std::bit_cast<double>(gauss);
}

}  // namespace mlp
