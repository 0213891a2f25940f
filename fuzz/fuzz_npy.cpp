// NPY: header, dtype, shape and data checks.
#include "fuzz_target.h"
#include "data/npy.h"

static void read(std::string_view bytes) {
  mlp::data::Array a = mlp::data::parse_npy(bytes, "fuzz.npy");
  if (a.rows() > 0) (void)a.at(a.rows() - 1, a.cols() ? a.cols() - 1 : 0);
}

MLP_FUZZ_TARGET(read)
