// IDX, plain or gzip-compressed.
#include "fuzz_target.h"
#include "data/idx.h"

static void read(std::string_view bytes) { (void)mlp::data::parse_idx(bytes, "fuzz.idx"); }

MLP_FUZZ_TARGET(read)
