// numpy's legacy RandomState, reproduced: the same MT19937 words, turned into
// doubles, normals and bounded integers the way numpy turns them.
#include "mlp/random.h"

#include <bit>
#include <cmath>
#include <sstream>

#include "mlp/error.h"

namespace mlp {

double Random::rand() {
  // 27 bits from one word and 26 from the next: (a * 2^26 + b) / 2^53.
  std::uint32_t a = next_u32() >> 5;
  std::uint32_t b = next_u32() >> 6;
  return (a * 67108864.0 + b) / 9007199254740992.0;
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
  std::mt19937 engine;
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
