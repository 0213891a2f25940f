// The tutorial's run through FixedMlp alone (header only, no library), printing the 17 trained
// weights with 17 significant digits (enough to read back the same double), one per line. tests/nn/test_fixed_mlp.cpp compiles it with each
// C++ compiler it finds and compares the output with numpy's weights
// (tests/fixtures/tutorial_numpy_weights.txt): FixedMlp's arithmetic must not depend on the compiler.
#include <cstdio>
#include <cstring>
#include <string>

#include "mlp/nn/fixed_mlp.h"

int main() {
  // np.random.seed(99): hidden_weight = rand(4, 2) / 2, hidden_bias = rand(4),
  // output_weight = rand(1, 4) / 4, output_bias = 0 (scripts/gen_tutorial_weights.py's start).
  const double w1[4][2] = {{0.33613927931539589, 0.24403919962029186},
                           {0.41274758701794817, 0.015723193813149072},
                           {0.40402498168242384, 0.28280870980526529},
                           {0.14881124935197199, 0.023347860253476627}};
  const double b1[4] = {0.99062739947079614, 0.0068257330436551911, 0.76979302818993978, 0.74676710099429966};
  const double w2[4] = {0.094359734083741292, 0.12353686306024397, 0.23223709802389481, 0.09886351108645508};
  mlp::FixedMlp<double, 2, 4, 1> net;
  auto& p = net.parameters();
  std::memcpy(p.w1, w1, sizeof w1);
  std::memcpy(p.b1, b1, sizeof b1);
  std::memcpy(p.w2[0], w2, sizeof w2);
  p.b2[0] = 0;
  const double x[8] = {22.5, 72.0, 31.4, 45.0, 19.8, 85.0, 27.6, 63};
  const double y[4] = {95, 210, 70, 155};
  net.train<2>(x, y, 4, 0.00001, 1000);
  auto show = [](double v) { std::printf("%.17g\n", v); };
  for (const auto& row : p.w1)
    for (double v : row) show(v);
  for (double v : p.b1) show(v);
  for (double v : p.w2[0]) show(v);
  show(p.b2[0]);
  return 0;
}
