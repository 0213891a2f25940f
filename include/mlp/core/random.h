// A seeded random generator that gives the same numbers as numpy's legacy
// np.random.seed(n) followed by rand, randn, permutation and shuffle.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace mlp {

// MT19937 (Matsumoto and Nishimura), the words of std::mt19937 and of numpy's legacy generator,
// with its state refilled 624 words at a time in loops the compiler vectorizes, so that bulk
// draws (fill) cost a fraction of word-by-word ones. Written and read as text exactly as
// libstdc++ writes and reads std::mt19937 (the 624 words, then the position).
class Mt19937 {
 public:
  static constexpr std::size_t kWords = 624;
  explicit Mt19937(std::uint32_t seed = 5489u) { this->seed(seed); }
  void seed(std::uint32_t seed);
  std::uint32_t operator()() {
    if (next_ >= kWords) refill();
    return temper(words_[next_++]);
  }
  // out[0..n) = the next n words, as n calls would give them.
  void fill(std::uint32_t* out, std::size_t n);

  friend std::ostream& operator<<(std::ostream& out, const Mt19937& engine);
  friend std::istream& operator>>(std::istream& in, Mt19937& engine);

 private:
  static std::uint32_t temper(std::uint32_t y) {
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    return y ^ (y >> 18);
  }
  void refill();
  std::array<std::uint32_t, kWords> words_;
  std::size_t next_ = kWords;
};

class Random {
 public:
  // Same state as np.random.seed(seed): MT19937 seeded with init_genrand(seed).
  explicit Random(std::uint32_t seed = 0) : engine_(seed) {}

  void seed(std::uint32_t seed) {
    engine_.seed(seed);
    has_gauss_ = false;
  }

  // The next raw 32-bit word of MT19937.
  std::uint32_t next_u32() { return static_cast<std::uint32_t>(engine_()); }

  // np.random.rand(): uniform on [0, 1) with 53 random bits, from two 32-bit words:
  // rand_bits(a, b) / 2^53 for the next words a, then b.
  double rand();
  static std::uint64_t rand_bits(std::uint32_t a, std::uint32_t b) {
    return std::uint64_t(a >> 5) << 26 | (b >> 6);  // 27 bits from one word, 26 from the next
  }

  // The next n words in bulk (as n calls of next_u32). For loops over many draws: dropout makes
  // its masks from them through rand_bits.
  void fill_u32(std::uint32_t* out, std::size_t n) { engine_.fill(out, n); }

  // np.random.randn(): standard normal by the legacy polar (Marsaglia) method,
  // which makes two values at a time and keeps the second for the next call.
  double randn();

  // np.random.randint(0, high) for 0 < high <= 2^32 (numpy's masked rejection).
  std::uint32_t randint(std::uint32_t high);

  // np.random.shuffle(x) for a 1-D sequence: Fisher-Yates from the end,
  // with numpy's bounded integers (masked rejection sampling).
  template <typename T>
  void shuffle(std::vector<T>& values) {
    for (std::size_t i = values.size(); i-- > 1;) {
      std::size_t j = interval(static_cast<std::uint32_t>(i));
      std::swap(values[i], values[j]);
    }
  }

  // np.random.permutation(n): 0..n-1, shuffled.
  std::vector<std::size_t> permutation(std::size_t n);

  // The whole state as text (the generator's words and a kept normal), for checkpoints;
  // set_state continues exactly where state() was taken. set_state throws InvalidArgument for
  // text that state() did not make.
  std::string state() const;
  void set_state(const std::string& state);

 private:
  // A uniform integer in [0, max], as numpy's legacy random_interval (max < 2^32).
  std::uint32_t interval(std::uint32_t max);

  Mt19937 engine_;
  bool has_gauss_ = false;
  double gauss_ = 0.0;
};

}  // namespace mlp
