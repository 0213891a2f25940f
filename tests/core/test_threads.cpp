// The library's one thread setting (mlp/core/threads.h): set_threads takes effect, refuses n < 1.
#include <gtest/gtest.h>

#include "mlp/core/error.h"
#include "mlp/core/threads.h"

namespace {

TEST(Threads, DefaultIsAtLeastOne) { EXPECT_GE(mlp::threads(), 1); }

TEST(Threads, SetThreadsTakesEffect) {
  const int before = mlp::threads();
  mlp::set_threads(1);
  EXPECT_EQ(mlp::threads(), 1);
  mlp::set_threads(3);
  EXPECT_EQ(mlp::threads(), 3);
  mlp::set_threads(before);
  EXPECT_EQ(mlp::threads(), before);
}

TEST(Threads, RefusesLessThanOne) {
  EXPECT_THROW(mlp::set_threads(0), mlp::InvalidArgument);
  EXPECT_THROW(mlp::set_threads(-2), mlp::InvalidArgument);
}

}  // namespace
